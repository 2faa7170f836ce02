import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { AdminGuard } from '../common/admin.guard';
import { ApiAdmin, ApiErrors, pageSchema } from '../common/openapi';
import { Page } from '../common/pagination.dto';
import { CreateLeadDto } from './dto/create-lead.dto';
import { LeadResponse, toLeadResponse } from './dto/lead.response';
import { LeadSchema } from './dto/lead.schema';
import { ListLeadsQuery } from './dto/list-leads.query';
import { UpdateLeadStatusDto } from './dto/update-lead-status.dto';
import { UpdateLeadDto } from './dto/update-lead.dto';
import { LeadsService } from './leads.service';

@ApiTags('leads')
@ApiExtraModels(LeadSchema)
@ApiErrors(503)
@Controller('leads')
export class LeadsController {
  constructor(private readonly service: LeadsService) {}

  /** The property site's public form; throttled per client address. */
  @Post()
  @HttpCode(201)
  @UseGuards(ThrottlerGuard)
  @ApiCreatedResponse({ type: LeadSchema, description: 'The lead, queued for amoCRM' })
  @ApiErrors(400, 413, 429)
  async create(@Body() dto: CreateLeadDto): Promise<LeadResponse> {
    return toLeadResponse(await this.service.create(dto));
  }

  @Get()
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiOkResponse({ schema: pageSchema('LeadSchema'), description: 'Newest first' })
  @ApiErrors(400)
  async list(@Query() q: ListLeadsQuery): Promise<Page<LeadResponse>> {
    const page = await this.service.list(q);
    return { ...page, items: page.items.map(toLeadResponse) };
  }

  @Get(':id')
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiOkResponse({ type: LeadSchema })
  @ApiErrors(400, 404)
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<LeadResponse> {
    return toLeadResponse(await this.service.getById(id));
  }

  @Patch(':id/status')
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiOkResponse({ type: LeadSchema })
  @ApiErrors(400, 404, 413)
  async changeStatus(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateLeadStatusDto,
  ): Promise<LeadResponse> {
    return toLeadResponse(await this.service.changeStatus(id, dto.status));
  }

  @Patch(':id')
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiOkResponse({ type: LeadSchema })
  @ApiErrors(400, 404, 413)
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdateLeadDto,
  ): Promise<LeadResponse> {
    return toLeadResponse(await this.service.update(id, dto));
  }
}
