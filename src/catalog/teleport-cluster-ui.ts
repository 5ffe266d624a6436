import { clusterEvent, digest, flag, oneOf, runId, STEP_STATUSES, status, userName } from "./teleport-properties";
import { DISCOVER_RESOURCES, INTEGRATION_KINDS, INTEGRATION_STEPS } from "./teleport-ui-vocabulary";
import type { EventSpec, PropertySpec } from "./types";

/**
 * The web UI events a Teleport cluster reports (proto/prehog/v1alpha/teleport_ui.proto), named
 * as Teleport's web UI names them (lib/usagereporter/web). A wizard's `metadata_id` ties the steps
 * of one run together and must be random (a UUID the browser drew) or a digest; the error text of
 * a failed step is never stored (docs/PREHOG.md).
 */

const discover: Record<string, PropertySpec> = {
  metadata_id: runId("The wizard run's random id"),
  metadata_user_name: digest("HMAC of the Teleport user name"),
  metadata_sso: flag("The user signed in through SSO"),
  resource: oneOf("What the wizard is adding", DISCOVER_RESOURCES),
  status: status(STEP_STATUSES),
};
const integration: Record<string, PropertySpec> = {
  metadata_id: runId("The wizard run's random id"),
  metadata_kind: oneOf("The integration", INTEGRATION_KINDS),
  metadata_user_name: digest("HMAC of the Teleport user name"),
};
const step = { step: oneOf("The wizard step", INTEGRATION_STEPS) };
const accessList: Record<string, PropertySpec> = {
  metadata_id: runId("The wizard run's id (random, or a digest)"),
  metadata_user_name: digest("HMAC of the Teleport user name"),
  metadata_preset: oneOf("The Access List's preset", ["short_term", "long_term"]),
  status: status(STEP_STATUSES),
};
const utm: Record<string, PropertySpec> = {
  utm_source: oneOf("The channel that brought the visit", ["email", "in_app", "web"]),
  utm_campaign: oneOf("The campaign that brought the visit", ["overage_80", "overage_90", "overage_100"]),
};
const user = { user_name: userName };
const click = (description: string) => clusterEvent(description, user);
const step3 = (description: string, extra: Record<string, PropertySpec> = {}) =>
  clusterEvent(description, { ...discover, ...extra });

export const uiEvents: Record<string, EventSpec> = {
  "tp.ui.banner.click": clusterEvent("A banner was clicked", {
    user_name: userName,
    alert: oneOf("The alert the banner showed", [
      "upgrade-suggestion",
      "security-patch-available",
      "license-expired",
      "overage_80",
      "overage_90",
      "overage_100",
    ]),
  }),
  "tp.ui.onboard.completeGoToDashboard.click": click("Onboarding finished: go to the dashboard"),
  "tp.ui.onboard.addFirstResource.click": click("Onboarding: add a first resource"),
  "tp.ui.onboard.addFirstResourceLater.click": click("Onboarding: add a first resource later"),
  "tp.ui.onboard.setCredential.submit": click("Onboarding: credentials set"),
  "tp.ui.onboard.registerChallenge.submit": clusterEvent("Onboarding: MFA registered", {
    user_name: userName,
    mfa_type: oneOf("The MFA kind", ["totp", "webauthn", "sso", "on", "optional", "off"]),
    login_flow: oneOf("The login flow", ["local", "passwordless"]),
  }),
  "tp.ui.onboard.questionnaire.submit": click("Onboarding: questionnaire submitted"),
  "tp.ui.recoveryCodesContinue.click": click("Recovery codes: continue"),
  "tp.ui.recoveryCodesCopy.click": click("Recovery codes: copied"),
  "tp.ui.recoveryCodesPrint.click": click("Recovery codes: printed"),
  "tp.ui.createNewRole.click": click("Role editor: new role"),
  "tp.ui.createNewRoleSave.click": clusterEvent("Role editor: saved", {
    user_name: userName,
    standard_used: flag("The standard editor was used"),
    yaml_used: flag("The YAML editor was used"),
    mode_when_saved: oneOf("The editor shown when saving", ["standard", "yaml"]),
  }),
  "tp.ui.createNewRoleCancel.click": click("Role editor: cancelled"),
  "tp.ui.createNewRoleViewDocumentation.click": click("Role editor: documentation opened"),
  "tp.ui.callToAction.click": clusterEvent("A call to action was clicked", {
    user_name: userName,
    cta: oneOf("Which one", [
      "auth_connector",
      "active_sessions",
      "access_requests",
      "premium_support",
      "trusted_devices",
      "upgrade_banner",
      "billing_summary",
      "access_list",
      "access_monitoring",
      "external_audit_storage",
      "okta_user_sync",
      "entra_id",
      "okta_scim",
    ]),
  }),
  "tp.ui.discover.started": clusterEvent("Discover: the wizard opened", {
    metadata_id: discover.metadata_id as PropertySpec,
    metadata_user_name: discover.metadata_user_name as PropertySpec,
    metadata_sso: discover.metadata_sso as PropertySpec,
    status: status(STEP_STATUSES),
  }),
  "tp.ui.discover.resourceSelection": step3("Discover: a resource kind was chosen"),
  "tp.ui.discover.integration.awsoidc.connect": step3("Discover: the AWS integration step"),
  "tp.ui.discover.database.enroll.rds": step3("Discover: RDS databases chosen", {
    selected_resources_count: { class: "count", description: "Databases chosen", optional: true },
  }),
  "tp.ui.discover.kube.enroll.eks": step3("Discover: EKS clusters chosen"),
  "tp.ui.discover.deployService": step3("Discover: an agent was deployed", {
    deploy_method: oneOf("Who deployed it", ["auto", "manual"]),
    deploy_type: oneOf("How", ["install_script", "amazon_ecs"]),
  }),
  "tp.ui.discover.createDiscoveryConfig": step3("Discover: a discovery config was created", {
    config_method: oneOf("What it discovers", ["aws_ec2_ssm", "aws_ec2_eice", "aws_rds_ecs", "aws_eks"]),
  }),
  "tp.ui.discover.database.register": step3("Discover: a database was registered"),
  "tp.ui.discover.database.configure.mtls": step3("Discover: mutual TLS configured"),
  "tp.ui.discover.desktop.activeDirectory.tools.install": step3("Discover: Active Directory tools installed"),
  "tp.ui.discover.desktop.activeDirectory.configure": step3("Discover: Active Directory configured"),
  "tp.ui.discover.autoDiscoveredResources": step3("Discover: resources discovered", {
    resources_count: { class: "count", description: "Resources discovered", optional: true },
  }),
  "tp.ui.discover.ec2InstanceSelection": step3("Discover: an EC2 instance chosen"),
  "tp.ui.discover.deployEICE": step3("Discover: an EC2 Instance Connect Endpoint deployed"),
  "tp.ui.discover.createNode": step3("Discover: a node created"),
  "tp.ui.discover.createAppServer": step3("Discover: an app server created"),
  "tp.ui.discover.database.configure.iampolicy": step3("Discover: IAM policy configured"),
  "tp.ui.discover.principals.configure": step3("Discover: principals configured"),
  "tp.ui.discover.testConnection": step3("Discover: connection tested"),
  "tp.ui.discover.completed": step3("Discover: the wizard finished"),
  "tp.ui.integrationEnroll.start": clusterEvent("Integration wizard: started", integration),
  "tp.ui.integrationEnroll.complete": clusterEvent("Integration wizard: finished", integration),
  "tp.ui.integrationEnroll.step": clusterEvent("Integration wizard: a step ended", {
    ...integration,
    ...step,
    status_code: status(STEP_STATUSES),
  }),
  "tp.ui.integrationEnroll.sectionOpen": clusterEvent("Integration wizard: a section opened", {
    ...integration,
    ...step,
    section: oneOf("The section", [
      "mwighak8s_github_advanced_options",
      "mwighak8s_kubernetes_label_picker",
      "mwighak8s_kubernetes_advanced_options",
      "mwighak8s_kubernetes_resource_rule_picker",
    ]),
  }),
  "tp.ui.integrationEnroll.fieldComplete": clusterEvent("Integration wizard: a field completed", {
    ...integration,
    ...step,
    field: oneOf("The field (its name, never its value)", [
      "mwighak8s_github_repository_url",
      "mwighak8s_github_branch",
      "mwighak8s_github_workflow",
      "mwighak8s_github_environment",
      "mwighak8s_github_ref",
      "mwighak8s_github_enterprise_slug",
      "mwighak8s_github_enterprise_static_jwks",
      "mwighak8s_kubernetes_labels",
      "mwighak8s_kubernetes_groups",
      "mwighak8s_kubernetes_users",
      "mwighak8s_kubernetes_resource_rules",
      "mwighak8s_kubernetes_cluster_name",
    ]),
  }),
  "tp.ui.integrationEnroll.codeCopy": clusterEvent("Integration wizard: generated code copied", {
    ...integration,
    ...step,
    type: oneOf("The code's kind", ["terraform", "github_actions_yaml"]),
  }),
  "tp.ui.integrationEnroll.linkClick": clusterEvent("Integration wizard: a link followed", { ...integration, ...step }),
  "tp.ui.accessList.defineAccess": clusterEvent("Access List wizard: access defined", accessList),
  "tp.ui.accessList.defineIdentities": clusterEvent("Access List wizard: identities defined", accessList),
  "tp.ui.accessList.defineBasicInfo": clusterEvent("Access List wizard: basic information", accessList),
  "tp.ui.accessList.defineMembers": clusterEvent("Access List wizard: members defined", accessList),
  "tp.ui.accessList.defineOwners": clusterEvent("Access List wizard: owners defined", accessList),
  "tp.ui.accessList.start": clusterEvent("Access List wizard: started", accessList),
  "tp.ui.accessList.custom": clusterEvent("Access List: created without the wizard", accessList),
  "tp.ui.accessList.complete": clusterEvent("Access List wizard: finished", {
    ...accessList,
    preferred_terraform: flag("Finished with the Terraform script"),
  }),
  "tp.ui.accessList.integrate": clusterEvent("Access List wizard: left to enrol an integration", {
    metadata_id: accessList.metadata_id as PropertySpec,
    metadata_user_name: accessList.metadata_user_name as PropertySpec,
    metadata_preset: accessList.metadata_preset as PropertySpec,
    integrate: oneOf("The integration", ["okta"]),
  }),
  "tp.ui.page.view": clusterEvent("A page of the web UI was viewed", { user_name: userName, ...utm }),
  "tp.ui.usageReportingAlert.cta.click": clusterEvent("A usage alert's call to action was clicked", {
    user_name: userName,
    alert: oneOf("The alert", ["overage_80", "overage_90", "overage_100"]),
    ...utm,
  }),
  "tp.ui.interaction": clusterEvent("A user changed a configurable view", {
    user_name: userName,
    page_id: oneOf("The page", ["observability_graph", "usage_summary"]),
  }),
};
