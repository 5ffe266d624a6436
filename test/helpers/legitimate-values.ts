/**
 * Values real clients send where the collector stores a string, by the property that takes them:
 * versions of Teleport, Node and Electron, Node's os.release() on macOS, Windows and Linux
 * distributions, Teleport Connect's job roles, Connect My Computer's setup steps, connector
 * types. The grammars must accept them (as sent, or reduced where the catalogue says so).
 */
export const legitimate = {
  /** app_version, teleport_version: versions as Teleport, Node and Electron name them. */
  versions: [
    "17.0.1",
    "17.0.0-alpha.1",
    "17.0.0-beta.2",
    "17.0.0-rc.1",
    "17.0.0-dev",
    "16.4.7",
    "15.4.22",
    "14.3.33",
    "13.4.26",
    "18.0.0-alpha.2",
    "v17.0.1",
    "v20.11.1",
    "v22.12.0",
    "v18.19.0",
    "20.11.1",
    "28.2.1",
    "30.0.0-beta.3",
    "29.0.0-alpha.7",
    "32.1.2",
    "31.0.0-nightly.20240412",
  ],
  /** os_version: Node's os.release() on macOS (darwin), Windows and Linux. */
  osReleases: [
    "23.1.0",
    "24.0.0",
    "22.6.0",
    "10.0.22631",
    "10.0.19045",
    "10.0.26100",
    "6.1.7601",
    "6.5.0-14-generic",
    "5.15.0-1057-azure",
    "6.8.0-1008-aws",
    "6.8.0-45-generic",
    "6.1.0-18-amd64",
    "6.1.0-18-cloud-amd64",
    "6.6.10-arch1-1",
    "6.7.4-200.fc39.x86_64",
    "5.14.0-362.8.1.el9_3.x86_64",
    "5.10.205-195.807.amzn2.x86_64",
    "5.15.153.1-microsoft-standard-WSL2",
    "4.4.0-19041-Microsoft",
    "6.1.0-rpi7-rpi-v8",
    "6.9.3-zen1-1-zen",
    "6.10.0-0.rc3.31.fc41.x86_64",
    "6.6.31+rpt-rpi-v8",
  ],
  jobRoles: [
    "Software Engineer",
    "Support Engineer",
    "DevOps Engineer",
    "Solutions Architect",
    "System Administrator",
    "Other",
  ],
  setupSteps: ["downloading_agent", "verifying_agent", "setting_up_role", "generating_config_file", "joining_cluster"],
  connectorTypes: ["local", "github", "saml", "oidc", "passwordless"],
};
