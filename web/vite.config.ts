import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { rmSync } from 'node:fs';

// `vite` (dev) and `vite preview` proxy /api to a running `leadflow serve`
// (LEADFLOW_API, default http://127.0.0.1:3000); in production the server serves
// web/dist itself on the API's origin, so there is no CORS.
const api = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.LEADFLOW_API
  ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [
    react(),
    {
      // dist/ is shared with the widget's build (dist/widget.js), so the dashboard's build
      // does not empty it; it clears only what it owns (dist/assets/, dist/index.html).
      name: 'clean-dashboard-output',
      apply: 'build',
      buildStart() {
        rmSync('dist/assets', { recursive: true, force: true });
        rmSync('dist/index.html', { force: true });
      },
    },
  ],
  server: { proxy: { '/api': { target: api, changeOrigin: false } } },
  preview: { proxy: { '/api': { target: api, changeOrigin: false } } },
  build: {
    outDir: 'dist',
    assetsDir: 'assets', // the server serves flat names under /assets/ only
    // widget.js is built into the same folder by its own config: never wipe it.
    emptyOutDir: false,
    sourcemap: false,
    target: 'es2022',
  },
  test: {
    environment: 'jsdom',
    globals: true,
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    css: { modules: { classNameStrategy: 'non-scoped' } },
  },
});
