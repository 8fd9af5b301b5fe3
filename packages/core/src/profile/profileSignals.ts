import type { EventContext, JsonObject } from '../model/envelope.js'
import { profileLimits } from './emptyProfile.js'
import type { CustomerProfile, SurveyAnswer, Touch } from './profileSchema.js'
import { addCount, cleanString, isNewer, mergeCounts, toFiniteNumber } from './profileCollections.js'

type Campaigns = CustomerProfile['campaigns']
type Consent = CustomerProfile['consent']
type Surveys = CustomerProfile['surveys']

/** Records the campaign (UTM) of an event: first and last touch by time, counts per channel. */
export function addCampaign(campaigns: Campaigns, context: EventContext | undefined, at: number): Campaigns {
  const campaign = context?.campaign
  if (campaign === undefined) return campaigns
  const touch: Touch = {
    at,
    source: cleanString(campaign.source, 200),
    medium: cleanString(campaign.medium, 200),
    name: cleanString(campaign.name, 200),
  }
  if (touch.source === null && touch.medium === null && touch.name === null) return campaigns
  const channel = `${touch.source ?? '(none)'} / ${touch.medium ?? '(none)'}`
  return {
    firstTouch: earlierTouch(campaigns.firstTouch, touch),
    lastTouch: laterTouch(campaigns.lastTouch, touch),
    channels: addCount(campaigns.channels, channel, 1, profileLimits.counts),
    names: touch.name === null ? campaigns.names : addCount(campaigns.names, touch.name, 1, profileLimits.counts),
  }
}

/** Unites two profiles' campaigns. */
export function mergeCampaigns(a: Campaigns, b: Campaigns): Campaigns {
  return {
    firstTouch: b.firstTouch === null ? a.firstTouch : earlierTouch(a.firstTouch, b.firstTouch),
    lastTouch: b.lastTouch === null ? a.lastTouch : laterTouch(a.lastTouch, b.lastTouch),
    channels: mergeCounts(a.channels, b.channels, profileLimits.counts),
    names: mergeCounts(a.names, b.names, profileLimits.counts),
  }
}

function laterTouch(current: Touch | null, touch: Touch): Touch {
  return current === null || isNewer(touch.at, touch, current.at, current) ? touch : current
}

function earlierTouch(current: Touch | null, touch: Touch): Touch {
  return current === null || isNewer(current.at, current, touch.at, touch) ? touch : current
}

/** Records consent from `context.consent`: per category and GPC, the latest decision wins. */
export function addConsent(consent: Consent, context: EventContext | undefined, at: number): Consent {
  const given = context?.consent
  if (given === undefined) return consent
  const incoming: Consent = { categories: {}, gpc: given.gpc === undefined ? null : { value: given.gpc, at } }
  for (const [name, granted] of Object.entries(given.categories ?? {})) incoming.categories[name] = { granted, at }
  return mergeConsent(consent, incoming)
}

/** Unites two consent records, the latest decision per category winning. */
export function mergeConsent(a: Consent, b: Consent): Consent {
  const categories = { ...a.categories }
  for (const [name, decision] of Object.entries(b.categories)) {
    const known = categories[name]
    if (known === undefined || isNewer(decision.at, decision.granted, known.at, known.granted)) {
      categories[name] = decision
    }
  }
  let gpc = a.gpc
  if (b.gpc !== null && (gpc === null || isNewer(b.gpc.at, b.gpc.value, gpc.at, gpc.value))) gpc = b.gpc
  return { categories, gpc }
}

/**
 * Reads a Survey Responded event: `properties.score` with `properties.type` `'nps'` (0–10) /
 * `'csat'` (1–5), as the event model documents it, or the older shapes `properties.nps` /
 * `properties.csat`, or `score` with `survey_type` (kept so stored events read as before).
 * Out-of-range scores are ignored.
 */
export function surveyAnswerOf(properties: JsonObject, at: number): SurveyAnswer | null {
  const surveyId = cleanString(properties['survey_id'], 200)
  const type = (cleanString(properties['type'], 20) ?? cleanString(properties['survey_type'], 20))?.toLowerCase()
  const score = toFiniteNumber(properties['score'])
  const nps = toFiniteNumber(properties['nps']) ?? (type === 'nps' ? score : null)
  if (nps !== null)
    return Number.isInteger(nps) && nps >= 0 && nps <= 10 ? { kind: 'nps', score: nps, at, surveyId } : null
  const csat = toFiniteNumber(properties['csat']) ?? (type === 'csat' ? score : null)
  if (csat !== null && csat >= 1 && csat <= 5) return { kind: 'csat', score: csat, at, surveyId }
  return null
}

/** Adds survey answers: the latest NPS and CSAT by time, and the recent answers newest first. */
export function addSurveyAnswers(surveys: Surveys, answers: readonly SurveyAnswer[]): Surveys {
  let { nps, csat } = surveys
  for (const answer of answers) {
    const current = answer.kind === 'nps' ? nps : csat
    const latest = current === null || isNewer(answer.at, answer, current.at, current) ? answer : current
    if (answer.kind === 'nps') nps = latest
    else csat = latest
  }
  const recent = [...surveys.recent, ...answers]
    .sort((x, y) => (x.at !== y.at ? y.at - x.at : compareText(JSON.stringify(y), JSON.stringify(x))))
    .slice(0, profileLimits.surveys)
  return { nps, csat, recent }
}

function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0
}
