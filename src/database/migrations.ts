import { CreatePropertiesAndLeads1764230400000 } from '../../migrations/1764230400000-CreatePropertiesAndLeads';
import { CreateAmoTokens1764234000000 } from '../../migrations/1764234000000-CreateAmoTokens';
import { CreateAmoSyncJobs1764237600000 } from '../../migrations/1764237600000-CreateAmoSyncJobs';
import { CreateAmoContactsAndSyncState1764241200000 } from '../../migrations/1764241200000-CreateAmoContactsAndSyncState';
import { CreateAmoWebhookEvents1764244800000 } from '../../migrations/1764244800000-CreateAmoWebhookEvents';
import { CreateThrottleHits1765400000000 } from '../../migrations/1765400000000-CreateThrottleHits';
import { AddInboxOrderAndLeadAmoFlags1766100000000 } from '../../migrations/1766100000000-AddInboxOrderAndLeadAmoFlags';
import { AddAmoTokenAuthMode1766400000000 } from '../../migrations/1766400000000-AddAmoTokenAuthMode';
import { AllowSharedAmoLead1766000000000 } from '../../migrations/1766000000000-AllowSharedAmoLead';
import { CreateAdminSessions1766300000000 } from '../../migrations/1766300000000-CreateAdminSessions';
import { AddLeadAttribution1766500000000 } from '../../migrations/1766500000000-AddLeadAttribution';
import { AddLeadIncomingState1766500001000 } from '../../migrations/1766500001000-AddLeadIncomingState';
import { AddManagersTasksAndRepeats1766600000000 } from '../../migrations/1766600000000-AddManagersTasksAndRepeats';

/** Listed explicitly so the same set runs from ts-node, the compiled build and the tests. */
export const migrations = [
  CreatePropertiesAndLeads1764230400000,
  CreateAmoTokens1764234000000,
  CreateAmoSyncJobs1764237600000,
  CreateAmoContactsAndSyncState1764241200000,
  CreateAmoWebhookEvents1764244800000,
  CreateThrottleHits1765400000000,
  AddInboxOrderAndLeadAmoFlags1766100000000,
  AddAmoTokenAuthMode1766400000000,
  AllowSharedAmoLead1766000000000,
  CreateAdminSessions1766300000000,
  AddLeadAttribution1766500000000,
  AddLeadIncomingState1766500001000,
  AddManagersTasksAndRepeats1766600000000,
];
