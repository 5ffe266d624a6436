import type { SubmitEventRequest } from "./gen/prehog/v1alpha/teleport_pb";

/**
 * Each oneof case of Teleport's `SubmitEventRequest` → the `teleport-cluster` catalogue event it
 * is stored as. The type makes the table complete: a case added to the .proto without a name here
 * does not compile. Names are Teleport's PostHog event names where its sources state one (the
 * .proto's comments, the web UI's event constants); the others (marked "derived") follow the same
 * `tp.<area>.<action>` pattern (docs/PREHOG.md has the table with the source of each).
 */

type ClusterCase = Exclude<SubmitEventRequest["event"]["case"], undefined>;

export const CLUSTER_EVENT_NAMES: Record<ClusterCase, string> = {
  userLogin: "tp.user.login",
  ssoCreate: "tp.sso.create", // derived
  resourceCreate: "tp.resource.create", // derived
  sessionStart: "tp.session.start",
  uiBannerClick: "tp.ui.banner.click",
  uiOnboardCompleteGoToDashboardClick: "tp.ui.onboard.completeGoToDashboard.click",
  uiOnboardAddFirstResourceClick: "tp.ui.onboard.addFirstResource.click",
  uiOnboardAddFirstResourceLaterClick: "tp.ui.onboard.addFirstResourceLater.click",
  uiOnboardSetCredentialSubmit: "tp.ui.onboard.setCredential.submit",
  uiOnboardRegisterChallengeSubmit: "tp.ui.onboard.registerChallenge.submit",
  uiRecoveryCodesContinueClick: "tp.ui.recoveryCodesContinue.click",
  uiRecoveryCodesCopyClick: "tp.ui.recoveryCodesCopy.click",
  uiRecoveryCodesPrintClick: "tp.ui.recoveryCodesPrint.click",
  uiDiscoverStartedEvent: "tp.ui.discover.started",
  uiDiscoverResourceSelectionEvent: "tp.ui.discover.resourceSelection",
  userCertificateIssuedEvent: "tp.certificate.issued",
  sessionStartV2: "tp.session.start",
  uiDiscoverDeployServiceEvent: "tp.ui.discover.deployService",
  uiDiscoverDatabaseRegisterEvent: "tp.ui.discover.database.register",
  uiDiscoverDatabaseConfigureMtlsEvent: "tp.ui.discover.database.configure.mtls",
  uiDiscoverDesktopActiveDirectoryToolsInstallEvent: "tp.ui.discover.desktop.activeDirectory.tools.install",
  uiDiscoverDesktopActiveDirectoryConfigureEvent: "tp.ui.discover.desktop.activeDirectory.configure",
  uiDiscoverAutoDiscoveredResourcesEvent: "tp.ui.discover.autoDiscoveredResources",
  uiDiscoverDatabaseConfigureIamPolicyEvent: "tp.ui.discover.database.configure.iampolicy",
  uiDiscoverPrincipalsConfigureEvent: "tp.ui.discover.principals.configure",
  uiDiscoverTestConnectionEvent: "tp.ui.discover.testConnection",
  uiDiscoverCompletedEvent: "tp.ui.discover.completed",
  roleCreate: "tp.role.create", // derived
  uiCreateNewRoleClick: "tp.ui.createNewRole.click",
  uiCreateNewRoleSaveClick: "tp.ui.createNewRoleSave.click",
  uiCreateNewRoleCancelClick: "tp.ui.createNewRoleCancel.click",
  uiCreateNewRoleViewDocumentationClick: "tp.ui.createNewRoleViewDocumentation.click",
  kubeRequest: "tp.kube.request",
  sftp: "tp.sftp",
  agentMetadataEvent: "tp.agent.metadata", // derived
  resourceHeartbeat: "tp.resource.hb",
  uiDiscoverIntegrationAwsOidcConnectEvent: "tp.ui.discover.integration.awsoidc.connect",
  uiDiscoverDatabaseRdsEnrollEvent: "tp.ui.discover.database.enroll.rds",
  uiCallToActionClickEvent: "tp.ui.callToAction.click",
  assistCompletion: "tp.assist.completion", // derived
  uiIntegrationEnrollStartEvent: "tp.ui.integrationEnroll.start",
  uiIntegrationEnrollCompleteEvent: "tp.ui.integrationEnroll.complete",
  editorChangeEvent: "tp.editor.change", // derived
  botCreate: "tp.bot.create", // derived
  uiOnboardQuestionnaireSubmit: "tp.ui.onboard.questionnaire.submit",
  botJoin: "tp.bot.join", // derived
  assistExecution: "tp.assist.execution", // derived
  assistNewConversation: "tp.assist.newConversation", // derived
  deviceAuthenticateEvent: "tp.device.authenticate", // derived
  featureRecommendationEvent: "tp.ui.feature.recommendation",
  assistAccessRequest: "tp.assist.accessRequest", // derived
  assistAction: "tp.assist.action", // derived
  deviceEnrollEvent: "tp.device.enroll",
  licenseLimitEvent: "tp.license.limit",
  accessListCreate: "tp.accessList.create", // derived
  accessListUpdate: "tp.accessList.update", // derived
  accessListDelete: "tp.accessList.delete", // derived
  accessListMemberCreate: "tp.accessList.member.create", // derived
  accessListMemberUpdate: "tp.accessList.member.update", // derived
  accessListMemberDelete: "tp.accessList.member.delete", // derived
  accessListGrantsToUser: "tp.accessList.grantsToUser", // derived
  uiDiscoverEc2InstanceSelection: "tp.ui.discover.ec2InstanceSelection", // derived
  uiDiscoverDeployEice: "tp.ui.discover.deployEICE", // derived
  uiDiscoverCreateNode: "tp.ui.discover.createNode", // derived
  desktopDirectoryShare: "tp.desktop.directory.share", // derived
  desktopClipboardTransfer: "tp.desktop.clipboard.transfer", // derived
  tagExecuteQuery: "tp.tag.executeQuery", // derived
  externalAuditStorageAuthenticate: "tp.externalAuditStorage.authenticate", // derived
  securityReportGetResult: "tp.securityReport.getResult", // derived
  auditQueryRun: "tp.auditQuery.run", // derived
  discoveryFetchEvent: "tp.discovery.fetch", // derived
  accessListReviewCreate: "tp.accessList.review.create", // derived
  accessListReviewDelete: "tp.accessList.review.delete", // derived
  accessListReviewCompliance: "tp.accessList.review.compliance", // derived
  mfaAuthenticationEvent: "tp.mfa.authentication", // derived
  spiffeSvidIssued: "tp.spiffe.svid.issued",
  oktaAccessListSync: "tp.okta.accessList.sync", // derived
  databaseUserCreated: "tp.database.user.create", // derived
  databaseUserPermissionsUpdated: "tp.database.user.permissionsUpdate", // derived
  uiDiscoverCreateDiscoveryConfig: "tp.ui.discover.createDiscoveryConfig",
  uiDiscoverKubeEksEnrollEvent: "tp.ui.discover.kube.enroll.eks",
  uiDiscoverCreateAppServerEvent: "tp.ui.discover.createAppServer",
  accessGraphGitlabScan: "tp.accessGraph.gitlab.scan", // derived
  accessGraphSecretsScanAuthorizedKeys: "tp.accessGraph.secretsScan.authorizedKeys", // derived
  accessGraphSecretsScanSshPrivateKeys: "tp.accessGraph.secretsScan.sshPrivateKeys", // derived
  accessGraphAwsScan: "tp.accessGraph.aws.scan", // derived
  accessGraphAccessPathChanged: "tp.accessGraph.accessPath.changed", // derived
  accessGraphCrownJewelCreate: "tp.accessGraph.crownJewel.create", // derived
  uiAccessGraphCrownJewelDiffView: "tp.ui.accessGraph.crownJewelDiffView",
  sessionRecordingAccess: "tp.recording.access",
  userTaskState: "tp.usertask.state",
  uiIntegrationEnrollStepEvent: "tp.ui.integrationEnroll.step",
  accessRequestCreateEvent: "tp.access_request.create",
  accessRequestReviewEvent: "tp.access_request.review",
  accessRequestCreate: "tp.access_request.create",
  accessRequestReview: "tp.access_request.review",
  uiIntegrationEnrollSectionOpenEvent: "tp.ui.integrationEnroll.sectionOpen", // derived
  uiIntegrationEnrollFieldCompleteEvent: "tp.ui.integrationEnroll.fieldComplete", // derived
  uiIntegrationEnrollCodeCopyEvent: "tp.ui.integrationEnroll.codeCopy", // derived
  uiIntegrationEnrollLinkClickEvent: "tp.ui.integrationEnroll.linkClick", // derived
  sessionSummaryCreateEvent: "tp.session.summary.create",
  sessionSummaryAccessEvent: "tp.session.summary.access",
  discoveryConfig: "tp.discovery.config",
  identitySecurityGraphSizeEvent: "tp.identity_security.graph_size", // derived
  identitySecurityAuditLogsIngestedEvent: "tp.identity_security.audit_logs_ingested", // derived
  uiAccessListDefineAccessEvent: "tp.ui.accessList.defineAccess", // derived
  uiAccessListDefineIdentitiesEvent: "tp.ui.accessList.defineIdentities", // derived
  uiAccessListDefineBasicInfoEvent: "tp.ui.accessList.defineBasicInfo", // derived
  uiAccessListDefineMembersEvent: "tp.ui.accessList.defineMembers", // derived
  uiAccessListDefineOwnersEvent: "tp.ui.accessList.defineOwners", // derived
  uiAccessListStartEvent: "tp.ui.accessList.start", // derived
  uiAccessListCompleteEvent: "tp.ui.accessList.complete", // derived
  uiAccessListIntegrateEvent: "tp.ui.accessList.integrate", // derived
  uiAccessListCustomEvent: "tp.ui.accessList.custom", // derived
  uiPageView: "tp.ui.page.view", // derived
  uiUsageReportingAlertCtaClick: "tp.ui.usageReportingAlert.cta.click", // derived
  sessionSummarySearchEvent: "tp.session.summary.search",
  uiInteraction: "tp.ui.interaction",
  beamsCreated: "tp.beams.created",
  beamsDestroyed: "tp.beams.destroyed",
  clusterHeartbeat: "tp.cluster.heartbeat",
};
