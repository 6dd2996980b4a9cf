// Vite's ?raw imports: a file's text (used by the stylesheet's test).
declare module '*?raw' {
  const text: string;
  export default text;
}

// Vite's import.meta.glob (used by the test that scans the UI code for literal strings).
interface ImportMeta {
  glob<T = unknown>(
    pattern: string | string[],
    options?: { query?: string; import?: string; eager?: boolean },
  ): Record<string, T>;
}
