/**
 * The script-tag bundle `ecrm.min.js`: capture and durable delivery, without the on-site
 * intelligence (see `ecrm-onsite.min.js` for that).
 */
import { bootScriptTag } from './scriptTag.js'

bootScriptTag()
