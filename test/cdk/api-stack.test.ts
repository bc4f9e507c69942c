import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/api/routes';
import { STAGE_THROTTLE } from '../../lib/api-stack';
import { logicalIdOf, synthesize } from './fixture';

const { api, apiTemplate } = synthesize();
const authorizerId = Object.keys(apiTemplate.findResources('AWS::ApiGatewayV2::Authorizer'))[0];

/** The route resource for `METHOD /path`, and the function its integration calls. */
function wiringOf(routeKey: string) {
  const found = Object.values(
    apiTemplate.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
  );
  const route = found[0]?.Properties;
  const integrationId = route?.Target?.['Fn::Join']?.[1]?.[1]?.Ref as string | undefined;
  const integration = apiTemplate.toJSON().Resources[integrationId ?? '']?.Properties;
  const functionId = integration?.IntegrationUri?.['Fn::GetAtt']?.[0] as string | undefined;
  return { count: found.length, route, functionId };
}

describe('Class: ApiStack', () => {
  describe('Routes', () => {
    it('has exactly one route per entry of the route table, and no other', () => {
      apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Route', routeList.length);
    });

    it.each(routeList.map((r) => [`${r.method} ${r.path}`, r] as const))(
      '%s is a route calling its own function',
      (routeKey, route) => {
        // Act
        const { count, functionId } = wiringOf(routeKey);

        // Assess
        expect(count).toBe(1);
        expect(functionId).toBe(logicalIdOf(api.functions.get(route.id) ?? api));
        apiTemplate.hasResourceProperties('AWS::Lambda::Function', {
          Description: routeKey,
          Handler: 'index.handler',
        });
      },
    );

    it.each(routeList.filter((r) => r.auth === 'user').map((r) => [`${r.method} ${r.path}`] as const))(
      '%s (user) sits behind the Lambda authorizer',
      (routeKey) => {
        const { route } = wiringOf(routeKey);
        expect(route).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      },
    );

    it.each(routeList.filter((r) => r.auth === 'public').map((r) => [`${r.method} ${r.path}`] as const))(
      '%s (public) has no authorizer',
      (routeKey) => {
        const { route } = wiringOf(routeKey);
        expect(route?.AuthorizationType).toBe('NONE');
        expect(route).not.toHaveProperty('AuthorizerId');
      },
    );
  });

  describe('Resource: authorizer', () => {
    it('is one Lambda authorizer with simple responses, no identity source and no cache', () => {
      apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
      apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'REQUEST',
        AuthorizerPayloadFormatVersion: '2.0',
        EnableSimpleResponses: true,
        IdentitySource: Match.exact([]),
        AuthorizerResultTtlInSeconds: 0,
      });
    });

    it('invokes the authorizer function', () => {
      const authorizer = apiTemplate.toJSON().Resources[authorizerId ?? ''];
      const authorizerFunction = api.node.findChild('Authorizer');
      expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(
        `"Fn::GetAtt":["${logicalIdOf(authorizerFunction)}","Arn"]`,
      );
    });
  });

  describe('Resource: default stage', () => {
    it('auto-deploys $default with stage-wide throttling', () => {
      apiTemplate.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: {
          ThrottlingBurstLimit: STAGE_THROTTLE.burstLimit,
          ThrottlingRateLimit: STAGE_THROTTLE.rateLimit,
        },
      });
    });

    it('writes JSON access logs, without headers or bodies, to a log group with retention', () => {
      // Prepare
      const stage = Object.values(apiTemplate.findResources('AWS::ApiGatewayV2::Stage'))[0];
      const { DestinationArn, Format } = stage?.Properties.AccessLogSettings ?? {};
      const logGroupId = DestinationArn?.['Fn::GetAtt']?.[0];

      // Act
      const fields = JSON.parse(Format) as Record<string, string>;

      // Assess
      expect(fields).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
      expect(Object.values(fields).join(' ')).not.toMatch(/header|body|querystring/i);
      expect(apiTemplate.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    });
  });

  describe('Outputs', () => {
    it('names the API URL', () => {
      apiTemplate.hasOutput('ApiUrl', {});
    });
  });
});
