// Names for the generated schema types the pages share.
import type { Schemas } from './client';

export type Channel = Schemas['Channel'];
export type Author = Schemas['Author'];
export type Message = Schemas['Message'];
export type ConversationItem = Schemas['ConversationSummary'];
export type AnalyticsSummary = Schemas['Summary'];
export type Integration = Schemas['IntegrationStatus'];
