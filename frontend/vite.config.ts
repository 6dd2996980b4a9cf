import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vitest/config';

// Go embeds frontend/dist, and git tracks only dist/.gitkeep so that the folder
// exists on a fresh clone. emptyOutDir wipes the folder before each build; this
// plugin puts the marker back once the bundle is written.
function keepDistMarker(): Plugin {
  let outDir = '';
  return {
    name: 'kirodesk:keep-dist-marker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await writeFile(resolve(outDir, '.gitkeep'), '');
    },
  };
}

export default defineConfig({
  plugins: [react(), keepDistMarker()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // make test runs this beside go test -race on two cores: a test that
    // takes 1 s alone can take several there (the 5 s default failed runs).
    testTimeout: 20_000,
  },
});
