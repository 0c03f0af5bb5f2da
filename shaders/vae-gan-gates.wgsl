// The VAE-GAN reference code's balance of the two players, decided on the GPU so that a captured
// step needs no readback: the discriminator skips its update when it is far ahead (either of its errors
// below EQUILIBRIUM - MARGIN), the decoder skips its GAN-driven update when D is far behind (either
// error above EQUILIBRIUM + MARGIN); when both would skip, both train.
// Host constants:
override EQUILIBRIUM: f32;   // the errors' balance point, about log(2)
override MARGIN: f32;

@group(0) @binding(0) var<storage, read> real_error: array<f32>;    // BCE of D on real images
@group(0) @binding(1) var<storage, read> fake_error: array<f32>;    // BCE of D on generated images
@group(0) @binding(2) var<storage, read_write> discriminator_gate: array<f32>;
@group(0) @binding(3) var<storage, read_write> decoder_gate: array<f32>;

@compute @workgroup_size(1)
fn main() {
  let real = real_error[0];
  let fake = fake_error[0];
  var train_discriminator = !(real < EQUILIBRIUM - MARGIN || fake < EQUILIBRIUM - MARGIN);
  var train_decoder = !(real > EQUILIBRIUM + MARGIN || fake > EQUILIBRIUM + MARGIN);
  if (!train_discriminator && !train_decoder) {
    train_discriminator = true;
    train_decoder = true;
  }
  discriminator_gate[0] = select(0.0, 1.0, train_discriminator);
  decoder_gate[0] = select(0.0, 1.0, train_decoder);
}
