/**
 * Phone numbers in E.164 (ITU-T E.164: `+`, a country code, at most 15 digits in all), the form
 * SMS providers take. Customers type numbers with spaces, dashes, brackets, a `00` international
 * prefix, Persian or Arabic-Indic digits, or nationally (`0912 345 6789`); this reads those.
 */

/** Options of {@link toE164}. */
export interface ToE164Options {
  /**
   * The country calling code (digits, e.g. `'98'` for Iran, `'44'` for the UK) of numbers written
   * nationally with a trunk `0` (`09123456789` → `+989123456789`). Not right for countries that
   * keep the leading 0 in international form (Italy). @default none: national numbers are refused
   */
  readonly defaultCallingCode?: string
}

/** What {@link toE164} made of a phone number. */
export type PhoneNumberResult =
  | { readonly ok: true; readonly e164: string }
  | { readonly ok: false; readonly reason: string }

const E164 = /^\+[1-9]\d{6,14}$/
// Visual separators people type; anything else (letters, extensions) makes the number unusable.
const SEPARATORS = /[\s\u00a0\-().\u200c\u200e\u200f]/g

/**
 * Normalises a phone number to E.164, or says why it cannot. Never throws.
 *
 * @example
 * toE164('+98 912 345 6789')                             // { ok: true, e164: '+989123456789' }
 * toE164('۰۹۱۲۳۴۵۶۷۸۹', { defaultCallingCode: '98' })   // { ok: true, e164: '+989123456789' }
 * toE164('0912 345 6789')                                // { ok: false, reason: '... national ...' }
 */
export function toE164(input: string, options: ToE164Options = {}): PhoneNumberResult {
  let digits = toAsciiDigits(input).trim().replace(SEPARATORS, '')
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`
  else if (!digits.startsWith('+') && digits.startsWith('0')) {
    const code = options.defaultCallingCode
    if (code === undefined || !/^[1-9]\d{0,2}$/.test(code)) {
      return {
        ok: false,
        reason: `${JSON.stringify(input)} is a national number (write it with +<country code>, or set defaultCallingCode)`,
      }
    }
    digits = `+${code}${digits.slice(1)}`
  } else if (!digits.startsWith('+')) {
    return { ok: false, reason: `${JSON.stringify(input)} has no country code (expected E.164, e.g. +989123456789)` }
  }
  if (!E164.test(digits))
    return {
      ok: false,
      reason: `${JSON.stringify(input)} is not a phone number (expected E.164: + and 7 to 15 digits)`,
    }
  return { ok: true, e164: digits }
}

/** Persian (U+06F0–U+06F9) and Arabic-Indic (U+0660–U+0669) digits to ASCII. */
function toAsciiDigits(text: string): string {
  return text.replace(/[\u06f0-\u06f9\u0660-\u0669]/g, (digit) => String(digit.charCodeAt(0) & 0xf))
}
