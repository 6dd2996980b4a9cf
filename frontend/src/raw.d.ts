// Vite's ?raw imports: a file's text (used by the stylesheet's test).
declare module '*?raw' {
  const text: string;
  export default text;
}
