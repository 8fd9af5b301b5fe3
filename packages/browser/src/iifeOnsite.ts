/**
 * The script-tag bundle `ecrm-onsite.min.js`: everything in `ecrm.min.js` plus the visitor's local
 * profile, on-site rules, experiments and lead score (`ecrm.profile()`, `ecrm.rule(id)`, ...).
 */
import { bootScriptTag } from './scriptTag.js'
import { startOnsite } from './onsite/startOnsite.js'

// The on-site reads the stub answers are named here, so ecrm.min.js carries neither them nor the code.
bootScriptTag(startOnsite, ['profile', 'rule', 'experiment', 'leadScore'])
