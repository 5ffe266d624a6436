/** Reading what the dashboard renders, as a browser would: markup through HTMLRewriter, text with its entities decoded. */

const ENTITIES: Record<string, string> = { "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&amp;": "&" };

/** Text as written by Hono's JSX (which escapes `& < > " '`), back to what was rendered. */
export function decodeEntities(text: string): string {
  return text.replace(/&(lt|gt|quot|#39|amp);/g, (entity) => ENTITIES[entity] ?? entity);
}

/** A JSX node (a component called as a function) as its HTML. */
export async function htmlOf(node: unknown): Promise<string> {
  return String(await (node as { toString(): string | Promise<string> }).toString());
}

export interface Cell {
  tag: string;
  attributes: Record<string, string>;
  text: string;
}

/**
 * Each element matching `selector`, with its attributes and its text (inside it or in its
 * descendants), decoded, in document order.
 */
export async function elementsOf(html: string, selector: string): Promise<Cell[]> {
  const found: Cell[] = [];
  await new HTMLRewriter()
    .on(selector, {
      element(element) {
        const attributes = [...element.attributes].map(([name, value]) => [name, decodeEntities(value ?? "")]);
        found.push({ tag: element.tagName, attributes: Object.fromEntries(attributes), text: "" });
      },
      text(chunk) {
        const last = found.at(-1);
        if (last) last.text += chunk.text;
      },
    })
    .transform(new Response(html))
    .text();
  return found.map((cell) => ({ ...cell, text: decodeEntities(cell.text) }));
}
