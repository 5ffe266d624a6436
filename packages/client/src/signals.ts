/**
 * The browser's privacy signals: Global Privacy Control (`navigator.globalPrivacyControl`) and
 * Do Not Track (`navigator.doNotTrack`, or the older `window.doNotTrack`, "1"). A user who set
 * either has said no to every site: the client treats it as "denied" until the user grants in
 * the app itself. Node has neither, so this is a browser's (or a renderer's) concern only.
 */
export function browserSaysNo(): boolean {
  const scope = globalThis as {
    navigator?: { globalPrivacyControl?: unknown; doNotTrack?: unknown };
    doNotTrack?: unknown;
  };
  return (
    scope.navigator?.globalPrivacyControl === true || scope.navigator?.doNotTrack === "1" || scope.doNotTrack === "1"
  );
}
