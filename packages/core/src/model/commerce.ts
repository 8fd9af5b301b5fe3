import * as z from 'zod'

/**
 * Building blocks of the Segment e-commerce v2 spec
 * (https://segment.com/docs/connections/spec/ecommerce/v2/): money, currency, the product object
 * and the order fields. Lenient where the spec is (nearly everything optional, unknown keys kept),
 * strict on types (a price is a finite number, never the string "19.99").
 */

/** An amount of money in major currency units (19.99 means €19.99); finite and not negative. */
export const moneySchema = z.number().min(0)

/** A three-letter ISO 4217 currency code in capitals (`EUR`, `USD`, `JPY`). */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, { error: "expected a 3-letter ISO 4217 currency code in capitals, e.g. 'EUR'" })

/** The fields of the spec's product object; shared by the product events and `products[]`. */
export const productFields = {
  product_id: z.string().min(1).max(200).optional(),
  sku: z.string().min(1).max(200).optional(),
  category: z.string().optional(),
  name: z.string().optional(),
  brand: z.string().optional(),
  variant: z.string().optional(),
  /** Unit price in major currency units. */
  price: moneySchema.optional(),
  quantity: z.int().min(0).optional(),
  coupon: z.string().optional(),
  /** 1-based position in a list. */
  position: z.int().min(0).optional(),
  url: z.string().optional(),
  image_url: z.string().optional(),
}

/**
 * Requires a `product_id` or a `sku`: a product the CRM cannot identify cannot be counted,
 * recommended or attributed.
 */
export function requireProductId(
  ctx: z.core.ParsePayload<{ product_id?: string | undefined; sku?: string | undefined }>,
): void {
  if (ctx.value.product_id === undefined && ctx.value.sku === undefined) {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      path: ['product_id'],
      message: 'a product needs a product_id or a sku',
    })
  }
}

/** A product as the spec describes it, inside `products[]` or as the properties of a product event. */
export const productSchema = z.looseObject(productFields).check(requireProductId)

/** A list of products (cart contents, order lines, list items). */
export const productListSchema = z.array(productSchema)

/** The order fields of Checkout Started, Order Updated/Completed/Refunded/Cancelled. */
export const orderFields = {
  order_id: z.string().min(1).max(200).optional(),
  checkout_id: z.string().optional(),
  affiliation: z.string().optional(),
  /** Revenue with discounts and coupons, plus shipping and tax; major currency units. */
  total: moneySchema.optional(),
  /** Order total after discounts, before shipping and tax; major currency units. */
  subtotal: moneySchema.optional(),
  /** Revenue without shipping and tax (the spec's `revenue`); major currency units. */
  revenue: moneySchema.optional(),
  shipping: moneySchema.optional(),
  tax: moneySchema.optional(),
  /** Amount taken off, as a positive number; major currency units. */
  discount: moneySchema.optional(),
  coupon: z.string().optional(),
  currency: currencySchema.optional(),
  products: productListSchema.optional(),
}

/** The same order fields with `order_id` required (orders are deduplicated and joined by it). */
export const identifiedOrderFields = {
  ...orderFields,
  order_id: z.string().min(1).max(200),
}

/** A product object (see {@link productSchema}). */
export type Product = z.infer<typeof productSchema>
