import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AmoCrmApiService } from './client/amo-crm-api.service';
import { AmoCrmHttpClient } from './client/amo-crm-http.client';
import { AmoCrmController } from './amo-crm.controller';
import { AmoConnectionService } from './connection/amo-connection.service';
import { AmoOAuthState } from './connection/amo-oauth-state.entity';
import { AmoToken } from './connection/amo-token.entity';
import { AmoTokenService } from './connection/amo-token.service';

@Module({
  imports: [HttpModule, TypeOrmModule.forFeature([AmoToken, AmoOAuthState])],
  controllers: [AmoCrmController],
  providers: [AmoCrmHttpClient, AmoTokenService, AmoCrmApiService, AmoConnectionService],
  exports: [AmoTokenService, AmoCrmApiService],
})
export class AmoCrmModule {}
