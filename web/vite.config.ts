import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npm run dev`: Vite's hot reload in front of a running workbench. The proxy
 * sends /api (and the live WebSocket) to it, presenting the workbench's own
 * Origin and the token from WORKBENCH_TOKEN, since the dev page has neither.
 */
const target = `http://127.0.0.1:${process.env.WORKBENCH_PORT ?? '4400'}`;
const token = process.env.WORKBENCH_TOKEN;

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
  },
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': {
        target,
        ws: true,
        changeOrigin: true,
        headers: { origin: target, ...(token && { authorization: `Bearer ${token}` }) },
      },
    },
  },
});
