/**
 * edgehog is not a feature-flag server. PostHog's SDKs ask for flags (`/flags`, formerly
 * `/decide`) and, in the browser, for the project's remote config; these answers are valid
 * and empty, so an SDK with flags on neither errors nor retries: no flag is ever enabled. The
 * remote config also turns off what edgehog would only refuse (autocapture, session
 * recording, heatmaps, surveys…) and says that gzip and base64 bodies are understood.
 */

/** What every remote config says, whatever the project. */
const CONFIG = {
  supportedCompression: ["gzip", "gzip-js", "base64"],
  hasFeatureFlags: false,
  autocapture_opt_out: true,
  autocaptureExceptions: false,
  capturePerformance: false,
  captureDeadClicks: false,
  heatmaps: false,
  sessionRecording: false,
  productTours: false,
  siteApps: [],
  defaultIdentifiedOnly: true,
  elementsChainAsString: true,
};

/** The remote config of a project (posthog-js `GET /array/<token>/config`). */
export function remoteConfig(token: string) {
  return { token, ...CONFIG };
}

/**
 * The same config as a script (`/array/<token>/config.js`), which posthog-js loads first. The
 * token is an app name of the catalogue; JSON.stringify makes both values safe in a script.
 */
export function remoteConfigScript(token: string): string {
  const config = JSON.stringify({ config: remoteConfig(token), siteApps: [] });
  return `(function(){var w=typeof window!=="undefined"?window:globalThis;w._POSTHOG_REMOTE_CONFIG=w._POSTHOG_REMOTE_CONFIG||{};w._POSTHOG_REMOTE_CONFIG[${JSON.stringify(token)}]=${config};})();\n`;
}

/**
 * No flags, in the shape of `/flags?v=2` (`flags`) and of older SDKs (`featureFlags`), with
 * the config when asked for it (`?config=true`).
 */
export function noFlags(withConfig = false) {
  return {
    ...(withConfig ? CONFIG : {}),
    flags: {},
    featureFlags: {},
    featureFlagPayloads: {},
    errorsWhileComputingFlags: false,
    quotaLimited: [],
    requestId: crypto.randomUUID(),
  };
}

/** `/decide`: the flags and the config in one answer, as the older SDKs read it. */
export function decideAnswer() {
  return {
    ...noFlags(true),
    config: { enable_collect_everything: false },
    isAuthenticated: false,
    toolbarParams: {},
    editorParams: {},
  };
}
