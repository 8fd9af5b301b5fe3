import type { KnownEventName } from '../../src/model/index.js'

/** A track envelope around `event` and `properties`, with the ids every event needs. */
export function track(event: string, properties?: unknown): Record<string, unknown> {
  return {
    type: 'track',
    messageId: 'm-1',
    anonymousId: 'a-1',
    event,
    ...(properties === undefined ? {} : { properties }),
  }
}

const product = {
  product_id: '507f1f77bcf86cd799439011',
  sku: 'G-32',
  category: 'Games',
  name: 'Monopoly: 3rd Edition',
  brand: 'Hasbro',
  variant: '200 pieces',
  price: 18.99,
  quantity: 1,
  coupon: 'MAYDEALS',
  position: 3,
  url: 'https://www.example.com/product/path',
  image_url: 'https://www.example.com/product/path.jpg',
}
const order = {
  checkout_id: 'fksdjfsdjfisjf9sdfjsd9f',
  order_id: '50314b8e9bcf000000000000',
  affiliation: 'Google Store',
  total: 27.5,
  subtotal: 22.5,
  revenue: 25,
  shipping: 3,
  tax: 2,
  discount: 2.5,
  coupon: 'hasbros',
  currency: 'USD',
  products: [product, { product_id: '505bd76785ebb509fc183733', sku: '46493-32', price: 4.5, quantity: 2 }],
}

/**
 * One valid `properties` object per known event, modelled on the examples of the Segment e-commerce
 * v2 spec (https://segment.com/docs/connections/spec/ecommerce/v2/) and ecrm's CRM events.
 */
export const validProperties: Record<KnownEventName, Record<string, unknown>> = {
  'Products Searched': { query: 'blue roses' },
  'Product List Viewed': { list_id: 'hot_deals_1', category: 'Deals', products: [product] },
  'Product List Filtered': {
    list_id: 'todays_deals_may_11_2019',
    filters: [
      { type: 'department', value: 'beauty' },
      { type: 'price', value: 'under-$25' },
    ],
    sorts: [{ type: 'price', value: 'desc' }],
    products: [product],
  },
  'Promotion Viewed': {
    promotion_id: 'promo_1',
    creative: 'top_banner_2',
    name: '75% store-wide shoe sale',
    position: 'home_banner_top',
  },
  'Promotion Clicked': {
    promotion_id: 'promo_1',
    creative: 'top_banner_2',
    name: '75% store-wide shoe sale',
    position: 'home_banner_top',
  },
  'Product Clicked': product,
  'Product Viewed': { ...product, currency: 'USD', value: 18.99 },
  'Product Added': { cart_id: 'skdjsidjsdkdj29j', ...product },
  'Product Removed': { cart_id: 'ksjdj92dj29dj92d2j', ...product },
  'Cart Viewed': { cart_id: 'd92jd29jd92jd29j92d92jd', products: [product] },
  'Checkout Started': {
    checkout_id: order.checkout_id,
    total: 27.5,
    value: 30,
    currency: 'USD',
    products: order.products,
  },
  'Checkout Step Viewed': {
    checkout_id: '50314b8e9bcf000000000000',
    step: 2,
    shipping_method: 'Fedex',
    payment_method: 'Visa',
  },
  'Checkout Step Completed': {
    checkout_id: '50314b8e9bcf000000000000',
    step: 2,
    shipping_method: 'Fedex',
    payment_method: 'Visa',
  },
  'Payment Info Entered': {
    checkout_id: '39f39fj39f3jf93fj9fj39fj3f',
    order_id: 'dkfsjidfjsdifsdfksdjfkdsfjsdfkdsf',
    step: 4,
  },
  'Order Updated': order,
  'Order Completed': order,
  'Order Refunded': { order_id: '50314b8e9bcf000000000000', total: 30, currency: 'USD' },
  'Order Cancelled': order,
  'Coupon Entered': { order_id: '50314b8e', cart_id: '923923929jd29jd92dj9j93fj3', coupon_id: 'may_deals_2016' },
  'Coupon Applied': {
    order_id: '50314b8e',
    cart_id: '923923929jd29jd92dj9j93fj3',
    coupon_id: 'may_deals_2016',
    coupon_name: 'May Deals 2016',
    discount: 23.32,
  },
  'Coupon Denied': {
    order_id: '50314b8e',
    cart_id: '923923929jd29jd92dj9j93fj3',
    coupon: 'may_deals_2016',
    reason: 'Coupon expired',
  },
  'Coupon Removed': {
    order_id: '50314b8e',
    cart_id: '923923929jd29jd92dj9j93fj3',
    coupon_id: 'may_deals_2016',
    coupon_name: 'May Deals 2016',
    discount: 23.32,
  },
  'Product Added to Wishlist': { wishlist_id: 'skdjsidjsdkdj29j', wishlist_name: 'Loved Games', ...product },
  'Product Removed from Wishlist': { wishlist_id: 'skdjsidjsdkdj29j', ...product },
  'Wishlist Product Added to Cart': { wishlist_id: 'skdjsidjsdkdj29j', cart_id: '99j2d92j9dj29dj29d2d2', ...product },
  'Product Shared': {
    share_via: 'email',
    share_message: 'Hey, check out this item',
    recipient: 'friend@example.com',
    ...product,
  },
  'Cart Shared': {
    share_via: 'email',
    share_message: 'Hey, check out this item',
    recipient: 'friend@example.com',
    cart_id: 'd92jd29jd92jd29j92d92jd',
    products: [{ product_id: '507f1f77bcf86cd799439011' }],
  },
  'Product Reviewed': {
    product_id: '507f1f77bcf86cd799439011',
    review_id: 'kdfjrj39fj39jf3',
    review_body: 'I love this product',
    rating: 5,
  },
  'Lead Captured': {
    form_id: 'newsletter-footer',
    email: 'ada@example.com',
    fields: { company: 'Analytical Engines', employees: 12 },
  },
  'Email Opened': { campaign_id: 'spring-sale', email_id: 'e-1' },
  'Email Clicked': { campaign_id: 'spring-sale', email_id: 'e-1', url: 'https://shop.example/sale' },
  'Email Link Clicked': { email_id: 'f1:0', url: 'https://shop.example/spring' },
  'Survey Responded': { survey_id: 'nps-q2', type: 'nps', score: 9, comment: 'fast delivery' },
  'Data Erasure Requested': { reason: 'closing my account' },
  'Experiment Viewed': { experiment_id: 'checkout-cta', variation_id: '1' },
  'Cart Abandoned': { rule_id: 'cart_abandoned', cart_id: 'c-1', products: [product], value: 18.99, currency: 'EUR' },
  'Rule Fired': { rule_id: 'win_back', rule_name: 'Win-back after 90 days' },
}
