package io.zkmargin.grpc;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.zkmargin.grpc.server.ZkmServer;
import java.util.UUID;

/** The service tests in-process (no network, no TLS). */
class InProcessServiceTest extends AbstractServiceTest {

  @Override
  ManagedChannel start(ZkmServer server) throws Exception {
    String name = "zkm-" + UUID.randomUUID();
    server.startInProcess(name);
    return InProcessChannelBuilder.forName(name).maxInboundMessageSize(16 << 20).build();
  }
}
