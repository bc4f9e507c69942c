import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/api/routes';
import { CORS_POLICY } from '../../functions/http/cors-policy';
import { synthesize } from './fixture';

const corsOf = (context: Record<string, unknown> = {}) => {
  const { apiTemplate } = synthesize(context);
  const apis = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Api'));
  return { apiTemplate, cors: apis[0]?.Properties?.CorsConfiguration };
};

// Synthesized once, outside the tests: synthesis takes seconds, more on a busy machine.
const withOrigins = corsOf({ corsAllowedOrigins: 'https://app.example.com, https://ops.example.com' });
const withDefault = corsOf();

describe('The HTTP API answers browsers\u2019 CORS preflights', () => {
  it('allows the origins of the corsAllowedOrigins setting, with the shared policy', () => {
    // Act
    const { cors } = withOrigins;

    // Assess
    expect(cors).toEqual({
      AllowOrigins: ['https://app.example.com', 'https://ops.example.com'],
      AllowMethods: [...new Set(routeList.map((r) => r.method))].sort(),
      AllowHeaders: [...CORS_POLICY.allowHeaders],
      ExposeHeaders: [...CORS_POLICY.exposeHeaders],
      AllowCredentials: false,
      MaxAge: CORS_POLICY.maxAgeSeconds,
    });
  });

  it('allows any origin when the setting is unset, as the functions do', () => {
    const { cors } = withDefault;
    expect(cors.AllowOrigins).toEqual(['*']);
  });

  it('has no OPTIONS route, so no preflight ever reaches the authorizer or a function', () => {
    // Prepare
    const { apiTemplate } = withDefault;

    // Act
    const keys = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey as string,
    );

    // Assess
    expect(keys.filter((k) => k.startsWith('OPTIONS ') || k.startsWith('ANY '))).toEqual([]);
  });
});
