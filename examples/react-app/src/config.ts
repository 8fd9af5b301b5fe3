import type { Experiment, RuleDefinition } from '@ecrm/core'

/**
 * Where events and orders go. The example node backend (examples/node-backend) serves both the
 * collector (`/v1/batch`) and the shop's `/orders`; point these elsewhere with VITE_ECRM_ENDPOINT
 * and VITE_SHOP_API at build or dev time.
 */
export const ECRM_ENDPOINT: string = import.meta.env['VITE_ECRM_ENDPOINT'] ?? 'http://127.0.0.1:8080'
export const SHOP_API: string = import.meta.env['VITE_SHOP_API'] ?? ECRM_ENDPOINT
export const WRITE_KEY: string = import.meta.env['VITE_ECRM_WRITE_KEY'] ?? 'dev_write_key'

/**
 * Rules the browser evaluates on the visitor's local profile (`useRule`). Rule JSON is the same in
 * Node and here; it is validated where it is authored (core's `defineRule`, with zod), so the
 * browser bundle only compiles the condition. This one marks a visitor who added two products
 * this week, and fires once (tracking "Rule Fired") when they become one.
 */
export const rules: RuleDefinition[] = [
  {
    id: 'keen_shopper',
    when: 'Product Added',
    if: { '>=': [{ count_events: ['Product Added', '7d'] }, 2] },
    maxFirings: 1,
  },
]

/**
 * An A/B test of the checkout button's label (`useExperiment`). Assignment is deterministic per
 * visitor (GrowthBook-compatible hashing), and the hook sends one "Experiment Viewed" per visitor.
 */
export const experiments: Experiment[] = [
  {
    key: 'checkout_cta',
    variations: [
      { id: 'control', value: 'Checkout' },
      { id: 'buy_now', value: 'Buy now' },
    ],
  },
]
