// A 50-rule CRM set written for the benchmark: segments and triggers a shop would define over a flat
// customer profile. Each rule is a list of conditions, all of which (or any, for `any`) must hold;
// the same set is turned into JsonLogic, into json-rules-engine conditions and into plain JS.

/** [name, 'all' | 'any', ...[field, op, value]]; ops: == != > >= < <= in (field value in list) has (list field holds value). */
export const crmRules = [
  ['vip', 'all', ['orders_count', '>=', 5], ['revenue', '>=', 500]],
  ['big_spender', 'all', ['revenue', '>=', 1000]],
  ['new_customer', 'all', ['orders_count', '==', 1], ['days_since_first_order', '<=', 30]],
  ['first_time_buyer_welcome', 'all', ['orders_count', '==', 1], ['days_since_last_order', '<=', 1]],
  ['repeat_buyer', 'all', ['orders_count', '>=', 2]],
  ['loyal', 'all', ['orders_count', '>=', 8], ['days_since_last_order', '<=', 60]],
  ['at_risk', 'all', ['orders_count', '>=', 3], ['days_since_last_order', '>', 90], ['days_since_last_order', '<=', 180]],
  ['hibernating', 'all', ['days_since_last_order', '>', 180], ['days_since_last_order', '<=', 365]],
  ['lost', 'all', ['orders_count', '>=', 1], ['days_since_last_order', '>', 365]],
  ['win_back', 'all', ['revenue', '>=', 200], ['days_since_last_order', '>', 120], ['email_opt_in', '==', true]],
  ['cart_abandoner', 'all', ['cart_items', '>', 0], ['minutes_since_cart_update', '>=', 60], ['minutes_since_cart_update', '<', 1440]],
  ['high_value_cart', 'all', ['cart_value', '>=', 150]],
  ['browse_abandoner', 'all', ['product_views_7d', '>=', 3], ['cart_items', '==', 0]],
  ['checkout_dropout', 'all', ['checkout_started_7d', '>=', 1], ['orders_7d', '==', 0]],
  ['discount_seeker', 'all', ['coupon_orders', '>=', 2]],
  ['full_price_buyer', 'all', ['orders_count', '>=', 3], ['coupon_orders', '==', 0]],
  ['newsletter_engaged', 'all', ['emails_opened_30d', '>=', 3], ['emails_clicked_30d', '>=', 1]],
  ['newsletter_dormant', 'all', ['email_opt_in', '==', true], ['emails_opened_30d', '==', 0]],
  ['unsubscribed', 'all', ['email_opt_in', '==', false]],
  ['sms_reachable', 'all', ['sms_opt_in', '==', true], ['country', 'in', ['FR', 'DE', 'ES', 'IT', 'NL', 'BE']]],
  ['promoter', 'all', ['nps', '>=', 9]],
  ['passive', 'all', ['nps', '>=', 7], ['nps', '<=', 8]],
  ['detractor', 'all', ['nps', '<=', 6], ['nps', '>=', 0]],
  ['unhappy_recent_buyer', 'all', ['csat', '>=', 1], ['csat', '<=', 2], ['days_since_last_order', '<=', 14]],
  ['birthday_month', 'all', ['birth_month', '==', 6]],
  ['anniversary_soon', 'all', ['days_to_signup_anniversary', '<=', 7]],
  ['gold_tier', 'all', ['loyalty_points', '>=', 5000]],
  ['silver_tier', 'all', ['loyalty_points', '>=', 1000], ['loyalty_points', '<', 5000]],
  ['points_expiring', 'all', ['loyalty_points', '>', 0], ['days_to_points_expiry', '<=', 30]],
  ['mobile_first', 'all', ['device', '==', 'mobile'], ['sessions_30d', '>=', 4]],
  ['desktop_researcher', 'all', ['device', '==', 'desktop'], ['product_views_7d', '>=', 10]],
  ['paid_social_lead', 'any', ['utm_source', '==', 'facebook'], ['utm_source', '==', 'instagram'], ['utm_source', '==', 'tiktok']],
  ['search_lead', 'all', ['utm_medium', '==', 'cpc'], ['utm_source', 'in', ['google', 'bing']]],
  ['organic_visitor', 'all', ['utm_medium', '==', 'organic']],
  ['affiliate_buyer', 'all', ['utm_medium', '==', 'affiliate'], ['orders_count', '>=', 1]],
  ['b2b_lead', 'all', ['company_size', '>=', 50], ['lead_score', '>=', 40]],
  ['sales_qualified', 'all', ['lead_score', '>=', 70]],
  ['marketing_qualified', 'all', ['lead_score', '>=', 40], ['lead_score', '<', 70]],
  ['cold_lead', 'all', ['lead_score', '<', 20], ['orders_count', '==', 0]],
  ['shoes_fan', 'all', ['categories', 'has', 'shoes']],
  ['outdoor_cross_sell', 'all', ['categories', 'has', 'tents'], ['orders_count', '>=', 1]],
  ['kids_parent', 'any', ['categories', 'has', 'kids'], ['categories', 'has', 'toys']],
  ['premium_brand_fan', 'all', ['favourite_brand', 'in', ['Aurel', 'Northwind', 'Solace']]],
  ['high_aov', 'all', ['aov', '>=', 120]],
  ['low_aov_frequent', 'all', ['aov', '<', 30], ['orders_count', '>=', 6]],
  ['returner', 'all', ['returns_count', '>=', 3]],
  ['serial_returner', 'all', ['returns_count', '>=', 5], ['return_rate', '>=', 0.5]],
  ['gpc_opt_out', 'all', ['consent_marketing', '==', false]],
  ['reactivation_candidate', 'all', ['days_since_last_visit', '>', 60], ['email_opt_in', '==', true], ['orders_count', '>=', 1]],
  ['churn_risk', 'all', ['p_alive', '<', 0.3], ['revenue', '>=', 100]],
]

/** One condition as JsonLogic. */
function conditionToLogic([field, op, value]) {
  const variable = { var: field }
  if (op === 'in') return { in: [variable, value] }
  if (op === 'has') return { in: [value, variable] }
  return { [op === '==' ? '===' : op === '!=' ? '!==' : op]: [variable, value] }
}

/** The rule set as JsonLogic rules: { name, logic }. */
export function toJsonLogic(rules = crmRules) {
  return rules.map(([name, mode, ...conditions]) => ({
    name,
    logic: conditions.length === 1 ? conditionToLogic(conditions[0]) : { [mode === 'all' ? 'and' : 'or']: conditions.map(conditionToLogic) },
  }))
}

const engineOperators = { '==': 'equal', '!=': 'notEqual', '>': 'greaterThan', '>=': 'greaterThanInclusive', '<': 'lessThan', '<=': 'lessThanInclusive', in: 'in', has: 'contains' }

/** The rule set as json-rules-engine rule options (one event per rule, named after it). */
export function toRulesEngine(rules = crmRules) {
  return rules.map(([name, mode, ...conditions]) => ({
    name,
    conditions: { [mode]: conditions.map(([fact, op, value]) => ({ fact, operator: engineOperators[op], value })) },
    event: { type: name },
  }))
}

/** The rule set as hand-shaped JavaScript (the floor): one function a rule. Benchmark-only code generation. */
export function toJavaScript(rules = crmRules) {
  const expression = ([field, op, value]) => {
    const read = `d[${JSON.stringify(field)}]`
    if (op === 'in') return `${JSON.stringify(value)}.includes(${read})`
    if (op === 'has') return `(Array.isArray(${read}) && ${read}.includes(${JSON.stringify(value)}))`
    return `${read} ${op === '==' ? '===' : op === '!=' ? '!==' : op} ${JSON.stringify(value)}`
  }
  return rules.map(([name, mode, ...conditions]) => ({
    name,
    test: new Function('d', `return ${conditions.map(expression).join(mode === 'all' ? ' && ' : ' || ')}`),
  }))
}

/** Deterministic pseudo-random numbers (mulberry32), so every run scores the same customers. */
export function createRandom(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` varied customer profiles with every field the rules read. */
export function makeProfiles(count, seed = 42) {
  const random = createRandom(seed)
  const int = (max) => Math.floor(random() * (max + 1))
  const pick = (list) => list[Math.floor(random() * list.length)]
  const categoryPool = ['shoes', 'tents', 'kids', 'toys', 'books', 'audio', 'garden', 'beauty']
  return Array.from({ length: count }, () => {
    const orders = random() < 0.3 ? 0 : 1 + int(12)
    const revenue = orders * (15 + random() * 150)
    return {
      orders_count: orders,
      revenue,
      aov: orders === 0 ? 0 : revenue / orders,
      // No nulls: json-rules-engine's numeric operators reject them where JsonLogic coerces null to 0.
      days_since_first_order: orders === 0 ? 9999 : int(900),
      days_since_last_order: orders === 0 ? 9999 : int(500),
      days_since_last_visit: int(200),
      cart_items: random() < 0.6 ? 0 : 1 + int(4),
      cart_value: random() * 300,
      minutes_since_cart_update: int(3000),
      product_views_7d: int(15),
      checkout_started_7d: int(2),
      orders_7d: int(1),
      coupon_orders: int(4),
      emails_opened_30d: int(6),
      emails_clicked_30d: int(3),
      email_opt_in: random() < 0.7,
      sms_opt_in: random() < 0.3,
      consent_marketing: random() < 0.8,
      country: pick(['FR', 'DE', 'US', 'GB', 'ES', 'IT', 'NL', 'BE', 'PL', 'SE']),
      nps: random() < 0.4 ? -1 : int(10),
      csat: random() < 0.5 ? 0 : 1 + int(4),
      birth_month: 1 + int(11),
      days_to_signup_anniversary: int(365),
      loyalty_points: int(8000),
      days_to_points_expiry: int(365),
      device: pick(['mobile', 'desktop', 'tablet']),
      sessions_30d: int(10),
      utm_source: pick(['google', 'bing', 'facebook', 'instagram', 'tiktok', 'newsletter', 'direct']),
      utm_medium: pick(['cpc', 'organic', 'email', 'affiliate', 'social']),
      company_size: int(500),
      lead_score: int(100),
      categories: categoryPool.filter(() => random() < 0.25),
      favourite_brand: pick(['Aurel', 'Northwind', 'Solace', 'Basic', 'Other']),
      returns_count: int(7),
      return_rate: random(),
      p_alive: random(),
    }
  })
}
