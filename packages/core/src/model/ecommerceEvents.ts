import * as z from 'zod'
import {
  currencySchema,
  identifiedOrderFields,
  moneySchema,
  orderFields,
  productFields,
  productListSchema,
  requireProductId,
} from './commerce.js'

/**
 * Properties of the Segment e-commerce v2 events
 * (https://segment.com/docs/connections/spec/ecommerce/v2/), one schema per event name.
 * Every schema keeps unknown keys.
 */

const listFields = {
  list_id: z.string().optional(),
  category: z.string().optional(),
  products: productListSchema.optional(),
}

const filterSchema = z.looseObject({ type: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) })

const promotionFields = {
  promotion_id: z.string().optional(),
  creative: z.string().optional(),
  name: z.string().optional(),
  /** Where the promotion was shown, e.g. `home_banner_top` (a string in the spec). */
  position: z.string().optional(),
}

const checkoutStepFields = {
  checkout_id: z.string().optional(),
  /** 1-based number of the checkout step. */
  step: z.int().min(1).optional(),
  shipping_method: z.string().optional(),
  payment_method: z.string().optional(),
}

const couponFields = {
  order_id: z.string().optional(),
  cart_id: z.string().optional(),
  coupon_id: z.string().optional(),
  coupon_name: z.string().optional(),
}

const shareFields = {
  share_via: z.string().optional(),
  share_message: z.string().optional(),
  recipient: z.string().optional(),
}

const wishlistFields = { wishlist_id: z.string().optional(), wishlist_name: z.string().optional() }

/** `Products Searched`: a search query. */
export const productsSearchedSchema = z.looseObject({ query: z.string() })
/** `Product List Viewed`. */
export const productListViewedSchema = z.looseObject(listFields)
/** `Product List Filtered`. */
export const productListFilteredSchema = z.looseObject({
  ...listFields,
  filters: z.array(filterSchema).optional(),
  sorts: z.array(filterSchema).optional(),
})
/** `Promotion Viewed` and `Promotion Clicked`. */
export const promotionSchema = z.looseObject(promotionFields)
/** `Product Clicked`, `Product Viewed`, `Product Added`, `Product Removed`: `product_id` or `sku` required. */
export const productEventSchema = z
  .looseObject({
    ...productFields,
    cart_id: z.string().optional(),
    currency: currencySchema.optional(),
    /** Monetary value of the event, in major currency units. */
    value: moneySchema.optional(),
  })
  .check(requireProductId)
/** `Cart Viewed`. */
export const cartViewedSchema = z.looseObject({
  cart_id: z.string().optional(),
  products: productListSchema.optional(),
})
/** `Checkout Started`: the order fields, all optional (the order may have no id yet). */
export const checkoutStartedSchema = z.looseObject({ ...orderFields, value: moneySchema.optional() })
/** `Checkout Step Viewed` and `Checkout Step Completed`. */
export const checkoutStepSchema = z.looseObject(checkoutStepFields)
/** `Payment Info Entered`. */
export const paymentInfoEnteredSchema = z.looseObject({ ...checkoutStepFields, order_id: z.string().optional() })
/** `Order Updated`, `Order Completed`, `Order Refunded`, `Order Cancelled`: `order_id` required. */
export const orderSchema = z.looseObject(identifiedOrderFields)
/** `Coupon Entered`. */
export const couponEnteredSchema = z.looseObject(couponFields)
/** `Coupon Applied` and `Coupon Removed`: the discount in major currency units. */
export const couponAppliedSchema = z.looseObject({ ...couponFields, discount: moneySchema.optional() })
/** `Coupon Denied`, with the reason. */
export const couponDeniedSchema = z.looseObject({ ...couponFields, reason: z.string().optional() })
/** `Product Added to Wishlist`, `Product Removed from Wishlist`, `Wishlist Product Added to Cart`. */
export const wishlistProductSchema = z
  .looseObject({ ...productFields, ...wishlistFields, cart_id: z.string().optional() })
  .check(requireProductId)
/** `Product Shared`. */
export const productSharedSchema = z.looseObject({ ...productFields, ...shareFields }).check(requireProductId)
/** `Cart Shared`. */
export const cartSharedSchema = z.looseObject({
  ...shareFields,
  cart_id: z.string().optional(),
  products: productListSchema.optional(),
})
/** `Product Reviewed`: `product_id` required; `rating` a number (commonly 1–5). */
export const productReviewedSchema = z.looseObject({
  product_id: z.string().min(1),
  review_id: z.string().optional(),
  review_body: z.string().optional(),
  rating: z.number().min(0).optional(),
})

/** The e-commerce v2 event names and the schema of each one's properties. */
export const ecommerceEventSchemas = {
  'Products Searched': productsSearchedSchema,
  'Product List Viewed': productListViewedSchema,
  'Product List Filtered': productListFilteredSchema,
  'Promotion Viewed': promotionSchema,
  'Promotion Clicked': promotionSchema,
  'Product Clicked': productEventSchema,
  'Product Viewed': productEventSchema,
  'Product Added': productEventSchema,
  'Product Removed': productEventSchema,
  'Cart Viewed': cartViewedSchema,
  'Checkout Started': checkoutStartedSchema,
  'Checkout Step Viewed': checkoutStepSchema,
  'Checkout Step Completed': checkoutStepSchema,
  'Payment Info Entered': paymentInfoEnteredSchema,
  'Order Updated': orderSchema,
  'Order Completed': orderSchema,
  'Order Refunded': orderSchema,
  'Order Cancelled': orderSchema,
  'Coupon Entered': couponEnteredSchema,
  'Coupon Applied': couponAppliedSchema,
  'Coupon Denied': couponDeniedSchema,
  'Coupon Removed': couponAppliedSchema,
  'Product Added to Wishlist': wishlistProductSchema,
  'Product Removed from Wishlist': wishlistProductSchema,
  'Wishlist Product Added to Cart': wishlistProductSchema,
  'Product Shared': productSharedSchema,
  'Cart Shared': cartSharedSchema,
  'Product Reviewed': productReviewedSchema,
} as const

/** Properties of a product event (Product Viewed, Added, Removed, Clicked). */
export type ProductEventProperties = z.infer<typeof productEventSchema>
/** Properties of an order event (Order Completed, Updated, Refunded, Cancelled). */
export type OrderProperties = z.infer<typeof orderSchema>
/** Properties of Checkout Started. */
export type CheckoutStartedProperties = z.infer<typeof checkoutStartedSchema>
/** Properties of Product Reviewed. */
export type ProductReviewedProperties = z.infer<typeof productReviewedSchema>
