import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Three builds from one config: the main bundle (Electron host, CLI, serve host and the engine they share),
// the preload script, and the renderer. Dependencies stay external in main (native modules cannot be bundled).
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          electron: resolve(__dirname, 'src-main/hosts/electron/main.ts'),
          cli: resolve(__dirname, 'src-main/hosts/cli/main.ts'),
          // the query process (src-main/query/process.ts starts it): user SQL runs there, so it can be ended
          queryHost: resolve(__dirname, 'src-main/query/host.ts'),
          // the fake provider's worker thread (src-main/providers/fake.ts starts it): bar generation off the event loop
          fakeWorker: resolve(__dirname, 'src-main/providers/fakeWorker.ts'),
          // the lake's group-commit staging thread (src-main/lake/stageWorkers.ts starts it): DuckDB off the event loop
          stageWorker: resolve(__dirname, 'src-main/lake/stageWorker.ts'),
          // validation's DuckDB thread (src-main/validate/judgeWorkers.ts starts it): rules and the instance's close off the event loop
          validateWorker: resolve(__dirname, 'src-main/validate/validateWorker.ts'),
        },
        // the bundler of the source tree's query host (query/devHost.ts: tests only), never part of the app
        external: ['rolldown'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve(__dirname, 'src-preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } },
    },
    plugins: [react()],
  },
});
