import { ApiProperty } from '@nestjs/swagger';
import { EffectiveManagers, ManagerRef } from '../../mapping/managers';
import { TaskSettings } from '../../mapping/task-settings';

/** OpenAPI descriptions of the mapping view's managers and callback-task parts (docs/MANAGERS.md). */
export class ManagerRefSchema implements ManagerRef {
  @ApiProperty({ type: 'integer', description: 'amoCRM user id' })
  id!: number;

  @ApiProperty()
  name!: string;
}

export class EffectiveManagersSchema implements EffectiveManagers {
  @ApiProperty({
    type: [ManagerRefSchema],
    description: 'The configured round-robin list, its active users only, in order',
  })
  roundRobin!: ManagerRefSchema[];

  @ApiProperty({ description: "Whether a known contact's manager gets the lead" })
  contactManager!: boolean;

  @ApiProperty({ type: [ManagerRefSchema], description: "The account's active users" })
  active!: ManagerRefSchema[];
}

export class TaskSettingsSchema implements TaskSettings {
  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ type: 'integer', description: 'amoCRM task type id' })
  typeId!: number;

  @ApiProperty({ description: 'Text template of a new lead’s callback task' })
  text!: string;

  @ApiProperty({ description: 'Text template of a repeat request’s task' })
  repeatText!: string;

  @ApiProperty({
    type: 'object',
    description: 'Each contact window’s [fromHour, toHour) in the account’s time zone',
    additionalProperties: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
  })
  hours!: TaskSettings['hours'];

  @ApiProperty({ type: 'integer', description: 'Minutes for ANY_TIME and inside a begun window' })
  anyTimeMinutes!: number;
}
