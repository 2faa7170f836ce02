import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AdminGuard } from '../../common/admin.guard';
import { ApiErrors, ErrorBodySchema } from '../../common/openapi';
import { ConsoleConnectionService } from './console-connection.service';
import { ConsoleFailuresService } from './console-failures.service';
import { ConsoleMappingService } from './console-mapping.service';
import { ConnectionDetailsResponse, DisconnectResponse } from './dto/connection-details.response';
import {
  ActivityResponse,
  DisconnectDto,
  FailuresResponse,
  RetryFailuresDto,
  RetryFailuresResponse,
} from './dto/console-lists.response';
import { MappingViewResponse } from './dto/mapping-view.response';

/** The admin endpoints the console is built on; API clients may call them as well. */
@ApiTags('amoCRM console')
@ApiBearerAuth()
@ApiCookieAuth('admin_session')
@ApiUnauthorizedResponse({ type: ErrorBodySchema, description: 'No key or session, or it expired' })
@ApiForbiddenResponse({
  type: ErrorBodySchema,
  description: 'ADMIN_API_KEY not set, or a missing/wrong X-CSRF-Token with the session cookie',
})
@ApiErrors(503)
@UseGuards(AdminGuard)
@Controller('integrations/amo-crm')
export class ConsoleAdminController {
  constructor(
    private readonly connection: ConsoleConnectionService,
    private readonly failuresView: ConsoleFailuresService,
    private readonly mappingView: ConsoleMappingService,
  ) {}

  @Get('connection')
  @ApiOkResponse({ type: ConnectionDetailsResponse })
  async details(): Promise<ConnectionDetailsResponse> {
    return this.connection.details();
  }

  @Post('connection/disconnect')
  @HttpCode(200)
  @ApiOkResponse({ type: DisconnectResponse })
  @ApiBadRequestResponse({ type: ErrorBodySchema, description: '`confirm` missing or false' })
  @ApiServiceUnavailableResponse({ type: ErrorBodySchema, description: 'amoCRM not configured' })
  async disconnect(@Body() dto: DisconnectDto): Promise<DisconnectResponse> {
    return this.connection.disconnect(dto.confirm);
  }

  @Get('activity')
  @ApiOkResponse({ type: ActivityResponse })
  async activity(): Promise<ActivityResponse> {
    return this.failuresView.activity();
  }

  @Get('failures')
  @ApiOkResponse({ type: FailuresResponse })
  async failures(): Promise<FailuresResponse> {
    return this.failuresView.failures();
  }

  @Post('failures/retry')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RetryFailuresResponse })
  @ApiBadRequestResponse({ type: ErrorBodySchema, description: 'Malformed id' })
  @ApiNotFoundResponse({ type: ErrorBodySchema, description: 'No DEAD job or event with that id' })
  @ApiServiceUnavailableResponse({ type: ErrorBodySchema, description: 'Sync is off' })
  async retry(@Body() dto: RetryFailuresDto): Promise<RetryFailuresResponse> {
    return this.failuresView.retry(dto.jobId, dto.eventId);
  }

  @Get('mapping/view')
  @ApiOkResponse({ type: MappingViewResponse })
  @ApiConflictResponse({ type: ErrorBodySchema, description: 'amoCRM not connected' })
  @ApiBadGatewayResponse({ type: ErrorBodySchema, description: 'amoCRM could not be read' })
  @ApiServiceUnavailableResponse({ type: ErrorBodySchema, description: 'amoCRM not configured' })
  async mapping(): Promise<MappingViewResponse> {
    return this.mappingView.view();
  }
}
