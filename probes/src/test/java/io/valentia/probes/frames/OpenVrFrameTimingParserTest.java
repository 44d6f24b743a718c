package io.valentia.probes.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OpenVrFrameTimingParserTest {
  // Compositor_FrameTiming as IVRCompositor::GetFrameTimings fills it, one JSON object per line
  private static final List<String> LINES =
      List.of(
          "{\"m_nSize\":216,\"m_nFrameIndex\":5000,\"m_nNumFramePresents\":1,\"m_nNumMisPresented\":0,"
              + "\"m_nNumDroppedFrames\":0,\"m_nReprojectionFlags\":0,\"m_flSystemTimeInSeconds\":1200.000000,"
              + "\"m_flPreSubmitGpuMs\":6.1,\"m_flPostSubmitGpuMs\":0.4,\"m_flTotalRenderGpuMs\":6.5,"
              + "\"m_flCompositorRenderGpuMs\":0.9,\"m_flCompositorRenderCpuMs\":0.3,\"m_flCompositorIdleCpuMs\":9.8}",
          "{\"m_nSize\":216,\"m_nFrameIndex\":5001,\"m_nNumFramePresents\":1,\"m_nNumMisPresented\":0,"
              + "\"m_nNumDroppedFrames\":0,\"m_nReprojectionFlags\":0,\"m_flSystemTimeInSeconds\":1200.011111,"
              + "\"m_flTotalRenderGpuMs\":6.4}",
          "{\"m_nSize\":216,\"m_nFrameIndex\":5002,\"m_nNumFramePresents\":1,\"m_nNumMisPresented\":1,"
              + "\"m_nNumDroppedFrames\":2,\"m_nReprojectionFlags\":20,\"m_flSystemTimeInSeconds\":1200.044444,"
              + "\"m_flTotalRenderGpuMs\":29.0,\"m_hmdPose\":{\"bPoseIsValid\":true}}");

  @Test
  @DisplayName(
      "Frame index, frame time and dropped frames are read from Compositor_FrameTiming lines")
  void readsFrames() {
    OpenVrFrameTimingParser parser = new OpenVrFrameTimingParser(90);
    List<FrameSample> frames = LINES.stream().map(parser::parse).flatMap(Optional::stream).toList();

    assertThat(frames).extracting(FrameSample::index).containsExactly(5000L, 5001L, 5002L);
    assertThat(frames).extracting(FrameSample::dropped).containsExactly(0, 0, 2);
    assertThat(frames.get(0).frameNanos()).isZero();
    assertThat(frames.get(1).frameNanos()).isBetween(11_110_000L, 11_112_000L);
    assertThat(frames.get(2).frameNanos()).isBetween(33_332_000L, 33_334_000L);
    assertThat(frames.get(2).latenessNanos()).isBetween(22_220_000L, 22_224_000L);
    assertThat(parser.rejected()).isZero();
  }

  @Test
  @DisplayName("Lines that are not frame timing records are counted and reported, never fatal")
  void countsBadLines() {
    OpenVrFrameTimingParser parser = new OpenVrFrameTimingParser(90);

    assertThat(parser.parse("not json")).isEmpty();
    assertThat(parser.parse("[1,2]")).isEmpty();
    assertThat(parser.parse("{\"m_nFrameIndex\":1}")).isEmpty();
    assertThat(parser.parse("   ")).isEmpty();
    assertThat(parser.parse(LINES.get(0))).isPresent();

    assertThat(parser.rejected()).isEqualTo(3);
    assertThat(parser.lastProblem()).contains("m_flSystemTimeInSeconds");
  }
}
