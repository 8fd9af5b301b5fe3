/** UTM parameters and click ids of a visit (Segment's `context.campaign`). */
export interface CampaignContext {
  name?: string
  source?: string
  medium?: string
  term?: string
  content?: string
  gclid?: string
  fbclid?: string
  msclkid?: string
}

const utmFields = ['name', 'source', 'medium', 'term', 'content'] as const
const clickIds = ['gclid', 'fbclid', 'msclkid'] as const

/**
 * Reads the campaign from a query string: `utm_campaign` becomes `name` (as in Segment's spec),
 * `utm_source`/`utm_medium`/`utm_term`/`utm_content` their suffix, and the Google, Meta and
 * Microsoft click ids keep their names. Returns `undefined` when the URL carries none.
 *
 * @example
 * parseCampaign('?utm_source=news&utm_campaign=spring&gclid=abc')
 * // { source: 'news', name: 'spring', gclid: 'abc' }
 */
export function parseCampaign(search: string): CampaignContext | undefined {
  let params: URLSearchParams
  try {
    params = new URLSearchParams(search)
  } catch {
    return undefined
  }
  const campaign: CampaignContext = {}
  let found = false
  for (const field of utmFields) {
    const value = params.get(field === 'name' ? 'utm_campaign' : `utm_${field}`)
    if (value !== null && value !== '') {
      campaign[field] = value
      found = true
    }
  }
  for (const id of clickIds) {
    const value = params.get(id)
    if (value !== null && value !== '') {
      campaign[id] = value
      found = true
    }
  }
  return found ? campaign : undefined
}

/** True when two campaigns name the same source (a new one starts a new session). */
export function isSameCampaign(a: CampaignContext | undefined, b: CampaignContext | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {})
}
