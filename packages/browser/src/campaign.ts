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

/** The query parameters read, in the order of the campaign's fields. */
const PARAMS = [
  'utm_campaign',
  'utm_source',
  'utm_medium',
  'utm_term',
  'utm_content',
  'gclid',
  'fbclid',
  'msclkid',
] as const

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
  const params = new URLSearchParams(search)
  const campaign: Record<string, string> = {}
  for (const param of PARAMS) {
    const value = params.get(param)
    if (value !== null && value !== '') campaign[param === 'utm_campaign' ? 'name' : param.replace('utm_', '')] = value
  }
  return Object.keys(campaign).length > 0 ? campaign : undefined
}
