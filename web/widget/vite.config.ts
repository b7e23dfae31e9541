// The embeddable chat widget: one self-contained IIFE, web/dist/widget.js, built after
// the dashboard (which empties web/dist), so this build must not empty it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  publicDir: false,
  // Vite and Vitest caches beside the package's own, not in a stray widget/node_modules.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite-widget', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('../dist', import.meta.url)),
    emptyOutDir: false,
    target: 'es2019',
    minify: true,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./src/main.ts', import.meta.url)),
      formats: ['iife'],
      name: 'LeadflowWidgetBundle',
      fileName: () => 'widget.js',
    },
  },
  test: {
    root: here,
    environment: 'jsdom',
    include: ['test/**/*.test.ts'],
  },
});
