package io.github.scanout.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.junit.jupiter.api.Test;

/** Every {@code scanout:} command and each of its parameters has a Gogo help text. */
class ScanoutCommandsDescriptorTest {

    @Test
    void everyCommandAndParameterHasADescriptor() {
        List<Method> commands = Arrays.stream(ScanoutCommands.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers())).toList();
        assertThat(commands).extracting(Method::getName).contains("devices", "sinks", "stats", "attach", "detach", "snapshot");
        for (Method m : commands) {
            Descriptor d = m.getAnnotation(Descriptor.class);
            assertThat(d).as(m.toString()).isNotNull();
            assertThat(d.value()).as(m.toString()).isNotBlank();
            for (Parameter p : m.getParameters()) {
                Descriptor pd = p.getAnnotation(Descriptor.class);
                assertThat(pd).as(m + " " + p).isNotNull();
                assertThat(pd.value()).as(m + " " + p).isNotBlank();
            }
        }
    }
}
