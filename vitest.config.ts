import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (name: string): string => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url))

/** Tests run against the sources, so `npm run test:unit` needs no build first. */
const alias = {
  '@ecrm/core': src('core'),
  '@ecrm/browser': src('browser'),
  '@ecrm/node': src('node'),
  '@ecrm/react': src('react'),
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['tests/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // expect.poll's 1 s default is shorter than a busy 2-core CI machine takes a real browser
          // or server to get somewhere; a poll still fails as soon as its deadline passes.
          expect: { poll: { timeout: 15_000, interval: 100 } },
          fileParallelism: false,
        },
      },
    ],
  },
})
