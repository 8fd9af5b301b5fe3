/**
 * The script-tag bundle `ecrm-onsite.min.js`: everything in `ecrm.min.js` plus the visitor's local
 * profile, on-site rules, experiments and lead score (`ecrm.profile()`, `ecrm.rule(id)`, ...).
 */
import { bootScriptTag } from './scriptTag.js'
import { startOnsite } from './onsite/startOnsite.js'

bootScriptTag(startOnsite)
