import {
  CountryCode,
  type Institution,
  type InstitutionStatus,
  type ProductStatus,
  ProductStatusStatusEnum,
} from 'plaid';
import type { SandboxInstitution } from './plaid-catalog';
import type { InstitutionHealth } from './plaid-state';

/** The health levels `/emulator/institutions/{id}/status` accepts (ProductStatus.status). */
export const INSTITUTION_HEALTH = ['HEALTHY', 'DEGRADED', 'DOWN'] as const;

/**
 * A ProductStatus (OpenAPI 2020-09-14 `ProductStatus`): the deprecated-but-present `status`, when
 * it last changed, and a `breakdown` whose shares sum to 1, chosen to match the level
 * ("HEALTHY: the majority of requests are successful; DEGRADED: only some; DOWN: all failing").
 */
function productStatus(health: InstitutionHealth, refresh: boolean): ProductStatus {
  const success = health.status === 'HEALTHY' ? 0.97 : health.status === 'DEGRADED' ? 0.45 : 0;
  return {
    status:
      ProductStatusStatusEnum[
        health.status === 'HEALTHY' ? 'Healthy' : health.status === 'DEGRADED' ? 'Degraded' : 'Down'
      ],
    last_status_change: health.lastStatusChange,
    breakdown: {
      success,
      error_plaid: health.status === 'HEALTHY' ? 0.01 : 0.05,
      error_institution: Math.round((1 - success - (health.status === 'HEALTHY' ? 0.01 : 0.05)) * 100) / 100,
      ...(refresh
        ? {
            refresh_interval:
              health.status === 'HEALTHY' ? 'NORMAL' : health.status === 'DEGRADED' ? 'DELAYED' : 'STOPPED',
          }
        : {}),
    } as ProductStatus['breakdown'],
  };
}

/**
 * `/institutions/get_by_id`'s `institution` (OpenAPI `Institution`); with
 * `options.include_status` it carries `status` (`InstitutionStatus`: `item_logins`,
 * `transactions_updates`, … each a ProductStatus, and `health_incidents`). Plaid notes status is
 * not served in Sandbox; the emulator serves it so outage handling can be tried locally.
 */
export function institutionView(
  institution: SandboxInstitution,
  health: InstitutionHealth,
  includeStatus: boolean,
): Institution {
  const view: Institution = {
    institution_id: institution.institutionId,
    name: institution.name,
    products: [...institution.products],
    country_codes: [CountryCode.Us],
    url: null,
    primary_color: null,
    logo: null,
    routing_numbers: [],
    oauth: false,
  };
  if (!includeStatus) return view;
  const status: InstitutionStatus = {
    item_logins: productStatus(health, false),
    transactions_updates: productStatus(health, true),
    auth: productStatus(health, false),
    identity: productStatus(health, false),
    investments_updates: productStatus(health, true),
    liabilities_updates: productStatus(health, true),
    liabilities: productStatus(health, false),
    investments: productStatus(health, false),
    health_incidents:
      health.status === 'HEALTHY'
        ? []
        : [
            {
              start_date: health.lastStatusChange,
              end_date: null,
              title: `${institution.name} is ${health.status === 'DOWN' ? 'down' : 'degraded'}`,
              incident_updates: [
                {
                  description: 'Connections to this institution are failing or slow.',
                  status: 'INVESTIGATING',
                  updated_date: health.lastStatusChange,
                },
              ],
            },
          ],
  } as InstitutionStatus;
  return { ...view, status };
}
