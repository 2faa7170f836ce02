import {
  Body,
  Controller,
  Get,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../common/admin.guard';
import { ApiAdmin, ApiErrors, pageSchema } from '../common/openapi';
import { Page, PaginationQueryDto } from '../common/pagination.dto';
import { CreatePropertyDto } from './dto/create-property.dto';
import { PropertyResponse, toPropertyResponse } from './dto/property.response';
import { PropertySchema } from './dto/property.schema';
import { UpdatePropertyDto } from './dto/update-property.dto';
import { PropertiesService } from './properties.service';

@ApiTags('properties')
@ApiExtraModels(PropertySchema)
@ApiErrors(503)
@Controller('properties')
export class PropertiesController {
  constructor(private readonly service: PropertiesService) {}

  @Post()
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiCreatedResponse({ type: PropertySchema })
  @ApiErrors(400, 413)
  async create(@Body() dto: CreatePropertyDto): Promise<PropertyResponse> {
    return toPropertyResponse(await this.service.create(dto));
  }

  @Patch(':id')
  @UseGuards(AdminGuard)
  @ApiAdmin()
  @ApiOkResponse({ type: PropertySchema })
  @ApiErrors(400, 404, 413)
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdatePropertyDto,
  ): Promise<PropertyResponse> {
    return toPropertyResponse(await this.service.update(id, dto));
  }

  @Get()
  @ApiOkResponse({ schema: pageSchema('PropertySchema') })
  @ApiErrors(400)
  async list(@Query() q: PaginationQueryDto): Promise<Page<PropertyResponse>> {
    const page = await this.service.list(q.page, q.limit);
    return { ...page, items: page.items.map(toPropertyResponse) };
  }

  @Get(':id')
  @ApiOkResponse({ type: PropertySchema })
  @ApiErrors(400, 404)
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<PropertyResponse> {
    return toPropertyResponse(await this.service.getById(id));
  }
}
