// A small single-page shop. Navigation uses pushState, so ecrm's SPA page capture sees every view;
// commerce actions are tracked with Segment e-commerce v2 event names.
import { addToCart, cartDetails, clearCart, readCart, removeFromCart } from './cart.js'
import { findProduct, products, toSegmentProduct } from './products.js'

const view = document.getElementById('view')
const euro = (amount) => `€${amount.toFixed(2)}`

function productCard(product) {
  return `<article class="card">
    <a href="/product/${product.id}" data-link class="swatch" style="background:${product.color}">${product.name[0]}</a>
    <h3><a href="/product/${product.id}" data-link>${product.name}</a></h3>
    <p class="muted">${product.category}</p>
    <p class="price">${euro(product.price)}</p>
    <button data-add="${product.id}">Add to cart</button>
  </article>`
}

function renderHome() {
  view.innerHTML = `<h1>Freshly roasted, shipped tomorrow</h1><div class="grid">${products.map(productCard).join('')}</div>`
  ecrm.track('Product List Viewed', { list_id: 'home', products: products.map((p) => toSegmentProduct(p)) })
}

function renderProduct(id) {
  const product = findProduct(id)
  if (!product) return renderNotFound()
  view.innerHTML = `<div class="detail">
    <div class="swatch big" style="background:${product.color}">${product.name[0]}</div>
    <div><h1>${product.name}</h1><p class="muted">${product.category}</p>
    <p class="price">${euro(product.price)}</p>
    <button data-add="${product.id}">Add to cart</button></div></div>`
  ecrm.track('Product Viewed', toSegmentProduct(product))
}

function renderCart() {
  const { lines, total } = cartDetails()
  const rows = lines
    .map(
      (
        line,
      ) => `<tr><td>${line.product.name}</td><td>${line.quantity}</td><td>${euro(line.product.price * line.quantity)}</td>
      <td><button class="link" data-remove="${line.id}">remove</button></td></tr>`,
    )
    .join('')
  view.innerHTML = lines.length
    ? `<h1>Your cart</h1><table class="cart">${rows}<tr><th colspan="2">Total</th><th>${euro(total)}</th><td></td></tr></table>
       <a class="button" href="/checkout" data-link>Checkout</a>`
    : '<h1>Your cart is empty</h1><p><a href="/" data-link>Find something you like</a></p>'
  ecrm.track('Cart Viewed', { products: lines.map((line) => toSegmentProduct(line.product, line.quantity)) })
}

function renderCheckout() {
  const { lines, total } = cartDetails()
  if (!lines.length) return navigate('/cart')
  view.innerHTML = `<h1>Checkout</h1><form id="checkout" class="stack">
    <input name="email" type="email" placeholder="Email" required aria-label="Email">
    <input name="name" placeholder="Full name" required aria-label="Full name">
    <p>Total: <strong>${euro(total)}</strong></p><button type="submit">Place order</button></form>`
  ecrm.track('Checkout Started', {
    value: total,
    revenue: total,
    currency: 'EUR',
    products: lines.map((l) => toSegmentProduct(l.product, l.quantity)),
  })
}

function renderThanks(orderId) {
  view.innerHTML = `<h1>Thank you!</h1><p>Order <code>${orderId}</code> is on its way.</p><p><a href="/" data-link>Back to the shop</a></p>`
}

function renderNotFound() {
  view.innerHTML = '<h1>Not found</h1><p><a href="/" data-link>Back to the shop</a></p>'
}

function placeOrder(form) {
  const data = new FormData(form)
  const { lines, total } = cartDetails()
  const orderId = `o-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
  const email = String(data.get('email'))
  ecrm.identify(email, { email, name: String(data.get('name')) })
  ecrm.track('Order Completed', {
    order_id: orderId,
    total,
    revenue: total,
    currency: 'EUR',
    products: lines.map((line) => toSegmentProduct(line.product, line.quantity)),
  })
  clearCart()
  navigate(`/thanks/${orderId}`)
}

function route() {
  const path = location.pathname
  document.title = titleOf(path)
  if (path === '/') renderHome()
  else if (path.startsWith('/product/')) renderProduct(decodeURIComponent(path.slice('/product/'.length)))
  else if (path === '/cart') renderCart()
  else if (path === '/checkout') renderCheckout()
  else if (path.startsWith('/thanks/')) renderThanks(path.slice('/thanks/'.length))
  else renderNotFound()
  document.getElementById('cart-count').textContent = String(readCart().reduce((n, l) => n + l.quantity, 0))
}

/** Each view's title, so page views in the dashboard read well. */
function titleOf(path) {
  const product = path.startsWith('/product/')
    ? findProduct(decodeURIComponent(path.slice('/product/'.length)))
    : undefined
  if (product) return `${product.name} — Bean There`
  if (path === '/cart') return 'Cart — Bean There'
  if (path === '/checkout') return 'Checkout — Bean There'
  if (path.startsWith('/thanks/')) return 'Thank you — Bean There'
  return 'Bean There — demo shop'
}

function navigate(path) {
  history.pushState({}, '', path)
  route()
}

document.addEventListener('click', (event) => {
  const target = event.target.closest('[data-link], [data-add], [data-remove]')
  if (!target) return
  if (target.dataset.add) {
    const product = findProduct(target.dataset.add)
    addToCart(product.id)
    ecrm.track('Product Added', { ...toSegmentProduct(product), cart_id: 'browser-cart' })
    route()
  } else if (target.dataset.remove) {
    const product = findProduct(target.dataset.remove)
    removeFromCart(product.id)
    ecrm.track('Product Removed', toSegmentProduct(product))
    route()
  } else if (target.href && new URL(target.href).origin === location.origin && !target.href.includes('/dashboard')) {
    event.preventDefault()
    navigate(new URL(target.href).pathname)
  }
})

document.addEventListener('submit', (event) => {
  event.preventDefault()
  if (event.target.id === 'checkout') placeOrder(event.target)
  if (event.target.id === 'lead-form') {
    const data = new FormData(event.target)
    const email = String(data.get('email'))
    const company = String(data.get('company') || '')
    const title = String(data.get('title') || '')
    ecrm.identify(email, { email, ...(company ? { company: { name: company } } : {}), ...(title ? { title } : {}) })
    ecrm.track('Lead Captured', {
      form_id: 'newsletter',
      form_type: company ? 'wholesale' : 'newsletter',
      email,
      ...(company ? { company } : {}),
    })
    document.getElementById('lead-result').textContent = 'Thanks — check your inbox.'
    event.target.reset()
  }
})

window.addEventListener('popstate', route)
route()
