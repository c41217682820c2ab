/*
 * librdkafka's mock cluster with brokers a test can take down and bring back (kcat's mock mode
 * cannot). Usage: kafka-mock-launcher BROKERS TOPIC PARTITIONS REPLICATION
 * Prints "bootstraps <host:port,...>", then answers each stdin command with "ok" or "error ...":
 *   down <broker id> | up <broker id> | leader <topic> <partition> <broker id>
 * Exits when stdin closes.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *answer(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : rd_kafka_err2str(err);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s BROKERS TOPIC PARTITIONS REPLICATION\n", argv[0]);
    return 2;
  }
  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* Quiet about the missing bootstrap.servers: this handle only hosts the cluster. */
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  /* The mock cluster runs on this handle's threads; the handle itself never produces. */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, atoi(argv[1]));
  if (!mc) {
    fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
    return 1;
  }
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mc, argv[2], atoi(argv[3]), atoi(argv[4]));
  if (err) {
    fprintf(stderr, "rd_kafka_mock_topic_create: %s\n", rd_kafka_err2str(err));
    return 1;
  }
  printf("bootstraps %s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[512], topic[256];
  int id, partition;
  while (fgets(line, sizeof(line), stdin)) {
    if (sscanf(line, "down %d", &id) == 1)
      printf("%s\n", answer(rd_kafka_mock_broker_set_down(mc, id)));
    else if (sscanf(line, "up %d", &id) == 1)
      printf("%s\n", answer(rd_kafka_mock_broker_set_up(mc, id)));
    else if (sscanf(line, "leader %255s %d %d", topic, &partition, &id) == 3)
      printf("%s\n", answer(rd_kafka_mock_partition_set_leader(mc, topic, partition, id)));
    else
      printf("error unknown command\n");
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
