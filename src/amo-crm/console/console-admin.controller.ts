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
import { ErrorBodyDto } from '../../common/error-body.dto';
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
@ApiUnauthorizedResponse({ type: ErrorBodyDto, description: 'No key or session, or it expired' })
@ApiForbiddenResponse({
  type: ErrorBodyDto,
  description: 'ADMIN_API_KEY not set, or a missing/wrong X-CSRF-Token with the session cookie',
})
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
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: '`confirm` missing or false' })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'amoCRM not configured' })
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
  @ApiBadRequestResponse({ type: ErrorBodyDto, description: 'Malformed id' })
  @ApiNotFoundResponse({ type: ErrorBodyDto, description: 'No DEAD job or event with that id' })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'Sync is off' })
  async retry(@Body() dto: RetryFailuresDto): Promise<RetryFailuresResponse> {
    return this.failuresView.retry(dto.jobId, dto.eventId);
  }

  @Get('mapping/view')
  @ApiOkResponse({ type: MappingViewResponse })
  @ApiConflictResponse({ type: ErrorBodyDto, description: 'amoCRM not connected' })
  @ApiBadGatewayResponse({ type: ErrorBodyDto, description: 'amoCRM could not be read' })
  @ApiServiceUnavailableResponse({ type: ErrorBodyDto, description: 'amoCRM not configured' })
  async mapping(): Promise<MappingViewResponse> {
    return this.mappingView.view();
  }
}
