/**
 * The request and response shapes of amoCRM API v4 that the product uses, as amoCRM sends
 * them (snake_case). Only the fields we read or write are declared.
 */

export interface AmoAccount {
  id: number;
  name: string;
  subdomain: string;
}

export interface AmoCustomFieldValueRead {
  field_id: number;
  field_code?: string | null;
  values?: { value?: unknown; enum_id?: number | null }[] | null;
}

/** A lead as `GET /leads` returns it. */
export interface AmoLeadRead {
  id: number;
  name?: string | null;
  price?: number | null;
  status_id?: number;
  pipeline_id?: number;
  responsible_user_id?: number;
  created_at?: number;
  updated_at?: number;
  custom_fields_values?: AmoCustomFieldValueRead[] | null;
  _embedded?: { contacts?: { id: number }[] };
}

export interface AmoContactRead {
  id: number;
  updated_at: number;
  responsible_user_id?: number;
  custom_fields_values?:
    { field_code?: string | null; values?: { value?: unknown }[] | null }[] | null;
}

export type AmoCustomFieldValueWrite = {
  field_id: number;
  values: ({ value: string | number } | { enum_id: number })[];
};

export type AmoContactFieldWrite = {
  field_code: string;
  values: { value: string; enum_code: string }[];
};

/** One item of a complex create: a lead with its contact (existing by id, or new). */
export interface AmoComplexLeadItem {
  name: string;
  responsible_user_id?: number;
  price?: number;
  pipeline_id?: number;
  status_id?: number;
  custom_fields_values?: AmoCustomFieldValueWrite[];
  /** Our lead id; amoCRM echoes it back so answers can be matched to requests. */
  request_id: string;
  _embedded: {
    tags: { name: string }[];
    contacts: (
      | { id: number }
      | {
          name: string;
          custom_fields_values: AmoContactFieldWrite[];
          responsible_user_id?: number;
        }
    )[];
  };
}

export interface AmoComplexResult {
  id: number;
  contact_id: number | null;
  request_id: string[] | string;
}

export interface AmoLeadPatch {
  id: number;
  pipeline_id?: number;
  status_id?: number;
  custom_fields_values?: AmoCustomFieldValueWrite[];
}

export interface AmoLeadPatched {
  id: number;
  updated_at?: number;
}

export interface AmoNoteItem {
  entity_id: number;
  note_type: 'common';
  params: { text: string };
}

export interface AmoNoteRead {
  id: number;
  entity_id: number;
  note_type?: string;
  params?: { text?: string };
}

export interface AmoPipeline {
  id: number;
  name: string;
  is_main?: boolean;
  sort?: number;
  _embedded?: { statuses?: { id: number; name: string; sort?: number; type?: number }[] };
}

export interface AmoCustomField {
  id: number;
  name: string;
  type: string;
  /** Set on predefined fields (PHONE, UTM_SOURCE, …); null on the account's own. */
  code?: string | null;
  enums?: { id: number; value: string }[] | null;
}

export interface AmoWebhook {
  id: number;
  destination: string;
  disabled?: boolean;
  settings?: string[];
}

/** One entry of `POST /api/v4/leads/unsorted/forms` (amoCRM's incoming leads). */
export interface AmoUnsortedFormItem {
  source_uid: string;
  source_name: string;
  pipeline_id?: number;
  created_at?: number;
  metadata: {
    form_id: string;
    form_name: string;
    form_page: string;
    form_sent_at: number;
    ip?: string;
    referer?: string;
  };
  _embedded: {
    leads: [
      Omit<AmoComplexLeadItem, '_embedded' | 'request_id' | 'pipeline_id' | 'status_id'> & {
        _embedded?: { tags?: { name: string }[] };
      },
    ];
    contacts?: [{ name: string; custom_fields_values?: AmoContactFieldWrite[] }];
  };
  /** Our lead id; amoCRM echoes it back. */
  request_id: string;
}

export interface AmoUnsortedCreated {
  uid: string;
  request_id?: string;
  _embedded?: { leads?: { id: number }[]; contacts?: { id: number }[] };
}

export interface AmoUser {
  id: number;
  name: string;
  rights?: { is_active?: boolean };
}

/** What `GET /account?with=datetime_settings,task_types` adds that we read. */
export interface AmoAccountSettings {
  timezone: string | null;
  taskTypes: { id: number; name: string }[];
}

export interface AmoTaskItem {
  text: string;
  complete_till: number;
  entity_id: number;
  entity_type: 'leads';
  task_type_id: number;
  responsible_user_id?: number;
  request_id: string;
}

export interface AmoTaskRead {
  id: number;
  entity_id: number | null;
  entity_type: string | null;
  text: string;
  complete_till: number;
  responsible_user_id?: number;
}
