/** Stylesheets import as their text (esbuild's "text" loader), adopted into shadow roots. */
declare module "*.css" {
  const text: string;
  export default text;
}
