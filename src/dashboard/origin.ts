/**
 * The collector's own origin as a page shows it (the commands and links a page offers to copy),
 * taken from the request the page answers, so a page names the deployment it was served by.
 */
export const originOf = (url: string) => new URL(url).origin;
