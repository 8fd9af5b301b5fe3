import type { Context, Liquid } from 'liquidjs'

/** What liquidjs binds `this` to in a filter (its FilterImpl, not exported by name). */
interface FilterImpl {
  readonly context: Context
}

/** The template's locale, as the renderer puts it into every context. */
function localeOf(context: Context): string {
  const locale = context.getSync(['message', 'locale'])
  return typeof locale === 'string' ? locale : 'en'
}

const PERSIAN = new Intl.NumberFormat('fa-IR', { useGrouping: false })

/** `0-9` as Intl's `fa-IR` numbering (۰–۹); every other character stays. */
export function persianDigits(value: unknown): string {
  return String(value ?? '').replace(/[0-9]/g, (digit) => PERSIAN.format(Number(digit)))
}

/**
 * Registers the locale-aware filters: `persian_digits`, `number`, `money: "EUR"` and
 * `local_date` (epoch ms or ISO; `fa` gets the Solar Hijri calendar Intl picks for it).
 */
export function registerLocaleFilters(liquid: Liquid): void {
  liquid.registerFilter('persian_digits', persianDigits)
  liquid.registerFilter('number', function (this: FilterImpl, value: unknown) {
    return new Intl.NumberFormat(localeOf(this.context)).format(Number(value))
  })
  liquid.registerFilter('money', function (this: FilterImpl, value: unknown, currency: unknown) {
    if (typeof currency !== 'string') throw new Error('money needs a currency code, e.g. {{ amount | money: "EUR" }}')
    return new Intl.NumberFormat(localeOf(this.context), { style: 'currency', currency }).format(Number(value))
  })
  liquid.registerFilter('local_date', function (this: FilterImpl, value: unknown) {
    const at = typeof value === 'number' || typeof value === 'string' ? new Date(value) : new Date(Number.NaN)
    if (Number.isNaN(at.getTime())) return ''
    return new Intl.DateTimeFormat(localeOf(this.context), { dateStyle: 'long', timeZone: 'UTC' }).format(at)
  })
}
