/** The data service of one hospital of a local network. */
export interface LocalDataService {
  /** The hospital's node name, `hospital-<i>`. */
  readonly name: string;
  /** Its organisation id: i + 1. */
  readonly hospitalId: number;
  /** The hospital's directory, which holds the service's config, key, state, pid and log. */
  readonly dir: string;
  /** Its `custos data-service --config` document. */
  readonly configFile: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The hospital's synthetic OMOP directory, `<omopDir>/hospital-<i>`. */
  readonly omopDir: string;
}

/** The data services of a local network, as written in its `data-services.json`. */
export interface LocalDataServices {
  /** The synthetic data set (`custos data generate --out`) the services read. */
  readonly omopDir: string;
  /** Hospital i's data service listens on basePort + i. */
  readonly basePort: number;
  readonly services: readonly LocalDataService[];
}
