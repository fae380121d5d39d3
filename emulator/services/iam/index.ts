/** IAM: Flex token validation + API keys. */
import type { ServiceModule } from '../../core/types';
import { initialIamState, mintFlexToken, type IamState, type MintOptions } from './models';
import { iamRoutes } from './routes';

export interface IamApi {
  mintFlexToken(opts: MintOptions): string;
}

export const iamService: ServiceModule<IamState> = {
  name: 'iam',
  host: 'iam',
  specFiles: ['twilio_iam_v1.json'],
  initialState: initialIamState,
  routes: iamRoutes,
  createApi: (env): IamApi => ({ mintFlexToken: (opts) => mintFlexToken(env, opts) }),
};
