// A page of docs/ as text (Vite's ?raw import): the worked billing example is read from its doc.
declare module "*.md?raw" {
  const text: string;
  export default text;
}
