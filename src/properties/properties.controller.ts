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
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../common/admin.guard';
import { Page, PaginationQueryDto } from '../common/pagination.dto';
import { CreatePropertyDto } from './dto/create-property.dto';
import { PropertyResponse, toPropertyResponse } from './dto/property.response';
import { UpdatePropertyDto } from './dto/update-property.dto';
import { PropertiesService } from './properties.service';

@ApiTags('properties')
@Controller('properties')
export class PropertiesController {
  constructor(private readonly service: PropertiesService) {}

  @Post()
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  async create(@Body() dto: CreatePropertyDto): Promise<PropertyResponse> {
    return toPropertyResponse(await this.service.create(dto));
  }

  @Patch(':id')
  @UseGuards(AdminGuard)
  @ApiBearerAuth()
  async update(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: UpdatePropertyDto,
  ): Promise<PropertyResponse> {
    return toPropertyResponse(await this.service.update(id, dto));
  }

  @Get()
  async list(@Query() q: PaginationQueryDto): Promise<Page<PropertyResponse>> {
    const page = await this.service.list(q.page, q.limit);
    return { ...page, items: page.items.map(toPropertyResponse) };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<PropertyResponse> {
    return toPropertyResponse(await this.service.getById(id));
  }
}
