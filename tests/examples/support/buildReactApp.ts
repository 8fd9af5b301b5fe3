import { readdir } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url))

/** Where the React example lives. */
export const reactAppDir = root('examples/react-app')

/**
 * Builds examples/react-app with Vite's API (its own vite.config.js applies) into `outDir`, the
 * endpoints baked in as `npm run build` would take them from VITE_* variables. `@ecrm/*` resolve
 * to the packages' sources, so the test needs no `npm run build` of the packages first.
 */
export async function buildReactApp(
  outDir: string,
  env: { readonly endpoint: string; readonly shopApi: string; readonly writeKey: string },
): Promise<string[]> {
  // vitest sets NODE_ENV=test and Vite keeps a NODE_ENV it finds: JSX would then be compiled for
  // React's development runtime. Build as `npm run build` does, with NODE_ENV=production.
  const nodeEnv = process.env['NODE_ENV']
  process.env['NODE_ENV'] = 'production'
  try {
    await build({
      root: reactAppDir,
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 1_000 },
      resolve: {
        alias: {
          '@ecrm/core': root('packages/core/src/index.ts'),
          '@ecrm/browser': root('packages/browser/src/index.ts'),
          '@ecrm/react': root('packages/react/src/index.ts'),
        },
      },
      define: {
        'import.meta.env.VITE_ECRM_ENDPOINT': JSON.stringify(env.endpoint),
        'import.meta.env.VITE_SHOP_API': JSON.stringify(env.shopApi),
        'import.meta.env.VITE_ECRM_WRITE_KEY': JSON.stringify(env.writeKey),
      },
    })
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV']
    else process.env['NODE_ENV'] = nodeEnv
  }
  return listFiles(outDir)
}

/** Paths of the files under `dir`, relative, with `/`. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
}
