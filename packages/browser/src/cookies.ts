/** Options of {@link writeCookie}. */
export interface CookieOptions {
  /** Lifetime, in days. @default 365 */
  readonly maxAgeDays?: number
  /** Cookie domain, e.g. `.shop.example` to share ids across subdomains. @default the current host */
  readonly domain?: string
}

/** Reads a first-party cookie; `undefined` when absent or when cookies are unavailable. */
export function readCookie(name: string): string | undefined {
  try {
    const prefix = `${encodeURIComponent(name)}=`
    for (const part of document.cookie.split('; ')) {
      // An empty value is a deleted cookie some engines still list until it expires.
      if (part.startsWith(prefix) && part.length > prefix.length) return decodeURIComponent(part.slice(prefix.length))
    }
  } catch {
    // No document (outside browsers), or a sandboxed iframe that throws on document.cookie: no cookie.
  }
  return undefined
}

/** Writes a first-party cookie (SameSite=Lax, Secure on https); never throws. */
export function writeCookie(name: string, value: string, options: CookieOptions = {}): void {
  try {
    const maxAge = Math.round((options.maxAgeDays ?? 365) * 86_400)
    const domain = options.domain === undefined ? '' : `; domain=${options.domain}`
    const secure = location.protocol === 'https:' ? '; Secure' : ''
    document.cookie = `${encodeURIComponent(name)}=${encodeURIComponent(value)}; path=/; max-age=${maxAge}; SameSite=Lax${domain}${secure}`
  } catch {
    // No document (or location), or cookies blocked: localStorage still holds the value.
  }
}

/** Deletes a first-party cookie written by {@link writeCookie}. */
export function removeCookie(name: string, options: Pick<CookieOptions, 'domain'> = {}): void {
  writeCookie(name, '', { ...options, maxAgeDays: 0 })
}
