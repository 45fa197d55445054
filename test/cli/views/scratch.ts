import { renderPlan } from '../../../src/cli/views/plan-human.js';
import { renderPlanMarkdown } from '../../../src/cli/views/plan-markdown.js';
import { toPlanDocument } from '../../../src/cli/views/plan-json.js';
import { plan } from '../../../src/planner/index.js';
import { dProfile, manifest, live, state } from '../../planner/builders.js';
const forget = plan({ manifest: manifest(), live: live(), state: state('profile.default') });
console.log(JSON.stringify(forget));
console.log(renderPlan(forget));
console.log(renderPlanMarkdown(forget));
