import { CreatePropertiesAndLeads1764230400000 } from '../../migrations/1764230400000-CreatePropertiesAndLeads';

/** Listed explicitly so the same set runs from ts-node, the compiled build and the tests. */
export const migrations = [CreatePropertiesAndLeads1764230400000];
