import { defineConfig } from 'vite'

// No React plugin: Vite compiles TSX with React's automatic JSX runtime by itself, which is all this
// example needs (you lose Fast Refresh; add @vitejs/plugin-react for it).
export default defineConfig({
  server: { port: 5173 },
  preview: { port: 4173 },
  build: {
    rollupOptions: {
      onwarn(warning, warn) {
        // @ecrm/react starts with 'use client' for Next.js; a client-only bundle can drop it.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        warn(warning)
      },
    },
  },
})
